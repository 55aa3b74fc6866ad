// An Express application as most start: express.json(), two routes, and
// Express's own 404 and error handler (no error middleware of its own).
// NODE_ENV is left unset, as on a developer's machine, so the default
// handler shows stack traces. Listens on 127.0.0.1, port argv[2] (0: any);
// prints its base URL on the first line of stdout.
'use strict';
const express = require('express');

const app = express();
app.use(express.json({ limit: '64kb' }));
const items = [];
app.get('/items', (req, res) => res.json({ items }));
app.post('/items', (req, res) => {
    items.push(req.body);
    res.status(201).json(req.body);
});
const server = app.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
    console.log(`http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
