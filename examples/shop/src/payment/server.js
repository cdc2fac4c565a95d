// Minimal service entry point used by the shop example.
const http = require("http");
const port = Number(process.env.PORT || 8080);
http
  .createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(req.url === "/healthz" ? "ok" : "shop");
  })
  .listen(port);
