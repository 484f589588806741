import net from 'node:net';

/**
 * TCP ports free on 127.0.0.1 right now, for spawned `meridian start` processes. The kernel picks
 * them (listen on port 0), so none is a port an outgoing connection already holds: a port drawn at
 * random from a fixed range lies in the ephemeral range, and CI once lost a run to EADDRINUSE.
 * All n are held open together, so they differ.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export const freePort = async (): Promise<number> => (await freePorts(1))[0]!;
