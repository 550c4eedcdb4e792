// The processes that follow each client, told client news by the engine (engine/client-news.ts).
import type { ClientFollower } from './engine/client-follower';
import { accountFollower } from './account/follower';

export const CLIENT_FOLLOWERS: readonly ClientFollower[] = [accountFollower];
