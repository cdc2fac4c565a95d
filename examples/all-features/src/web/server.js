// Entry point of the web front end.
require("http").createServer((q, s) => s.end("ok")).listen(8080);
