/** The baseline: node:http answering each request with the JSON the bench hands it (no framework, no Nomad). */
const http = require('node:http');

process.once('message', ({ body }) => {
  const buf = Buffer.from(body);
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': buf.length });
    res.end(buf);
  });
  server.keepAliveTimeout = 65000;
  server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}` }));
  process.on('disconnect', () => process.exit(0));
});
