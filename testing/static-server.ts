import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.xml': 'application/xml; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
};

/** Serves a built site from `dir` on a loopback port (by default one the OS assigns), as a static host would. */
export async function serveStatic(dir: string, port = 0): Promise<{ url: string; close(): Promise<void> }> {
	const root = path.resolve(dir);
	const server: Server = createServer(async (request, response) => {
		const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
		let file = path.join(root, pathname);
		if (!file.startsWith(root)) {
			response.writeHead(403).end();
			return;
		}
		try {
			if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
			await stat(file);
		} catch {
			response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
			return;
		}
		response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
		createReadStream(file).pipe(response);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', resolve);
	});
	const address = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${address.port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
