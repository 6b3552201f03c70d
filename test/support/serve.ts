/**
 * Starts the fake Replicate server with the seed models, for trying the CLI by hand:
 *   npx tsx test/support/serve.ts      # prints REPLICATE_BASE_URL and REPLICATE_API_TOKEN to export
 */
import { dollyModel, llama3Model, stableDiffusionModel } from './models.js';
import { startReplicateServer } from './replicate-server.js';

const tokenIntervalMs = Number(process.env.FAKE_TOKEN_INTERVAL_MS ?? 30);
const server = await startReplicateServer({
  models: [dollyModel({ tokenIntervalMs }), stableDiffusionModel({ processingMs: 300 }), llama3Model({ tokenIntervalMs })],
});
process.stdout.write(`export REPLICATE_BASE_URL=${server.url} REPLICATE_API_TOKEN=${server.token}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
