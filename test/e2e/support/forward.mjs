// Runs inside a network namespace (`ip netns exec <ns> node forward.mjs <port> <unixPath>`): a TCP
// listener on 127.0.0.1:<port> that pipes every connection to the Unix socket <unixPath> (which is
// reachable from every network namespace, being a file). When nothing listens on the socket, the
// TCP connection is dropped at once, as a down server would. Prints one ready line; exits when
// stdin closes, so it never outlives the test that started it.
import {connect, createServer} from 'node:net'

const [port, unixPath] = [Number(process.argv[2]), process.argv[3]]

const server = createServer((client) => {
  const upstream = connect(unixPath)
  const drop = () => {
    client.destroy()
    upstream.destroy()
  }
  client.on('error', drop)
  upstream.on('error', drop)
  client.on('close', drop)
  upstream.on('close', drop)
  client.pipe(upstream)
  upstream.pipe(client)
})
server.listen(port, '127.0.0.1', () => process.stdout.write('{"ready":true}\n'))
process.stdin.on('data', () => undefined)
process.stdin.on('end', () => process.exit(0))
process.stdin.on('close', () => process.exit(0))
