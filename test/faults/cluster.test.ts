// The fault suite (fault-suite.ts) on the real Temporal server on Postgres, as deployed (npm run cluster, docker-compose).
import { faultSuite } from './fault-suite';

faultSuite('cluster');
