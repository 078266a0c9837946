/**
 * The simulator for the bench, in a process of its own (as Nomad would be), counting the requests it answers.
 * Started with fork(): it sends { url } once listening, and answers { count: true } messages with how many
 * requests it has seen and, for { paths: true }, the method and path of the last ones (what a call sent Nomad).
 * Counting costs an increment per request: what the service is measured against is the simulator as it is.
 */
const { startSimulator } = require('../../dist/apps/nomad-sim/src/server');

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
let count = 0;
let recent = [];

startSimulator({
  port: 0,
  nodes: Number(opt('nodes', '20')),
  timings: { startDelayMs: Number(opt('start-delay', '200')) },
  onRequest: (r) => {
    count++;
    if (recent.length < 200) recent.push(`${r.method} ${r.url.split('?')[0]}`);
  },
}).then((sim) => {
  process.send({ url: sim.url });
  process.on('message', (m) => {
    if (m.paths) {
      process.send({ paths: recent });
      recent = [];
    } else process.send({ count });
  });
  process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
});
