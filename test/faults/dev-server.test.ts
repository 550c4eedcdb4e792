// The fault suite (fault-suite.ts) on the Temporal dev server with its SQLite file, as `npm start` runs it.
import { faultSuite } from './fault-suite';

faultSuite('dev-server');
