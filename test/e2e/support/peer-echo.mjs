// Who did the packet come from? Two modes, for NAT tests:
//   node peer-echo.mjs server <port>      a TCP listener that writes the peer's address and closes;
//                                         prints {"ready":true} once listening, exits when stdin closes
//   node peer-echo.mjs client <ip> <port> connects, prints what the server wrote (the source address
//                                         it saw), exits 0; exits 1 if no answer within 2 s
import {connect, createServer} from 'node:net'

const [mode, ...args] = process.argv.slice(2)
if (mode === 'server') {
  const server = createServer((socket) => {
    socket.on('error', () => undefined)
    socket.end(socket.remoteAddress?.replace(/^::ffff:/, '') ?? '')
  })
  server.listen(Number(args[0]), '0.0.0.0', () => process.stdout.write('{"ready":true}\n'))
  process.stdin.resume()
  process.stdin.on('end', () => process.exit(0))
  process.stdin.on('close', () => process.exit(0))
} else if (mode === 'client') {
  const socket = connect({host: args[0], port: Number(args[1])})
  let data = ''
  const timer = setTimeout(() => process.exit(1), 2000)
  socket.on('data', (chunk) => (data += chunk.toString()))
  socket.on('error', () => process.exit(1))
  socket.on('close', () => {
    clearTimeout(timer)
    process.stdout.write(`${data}\n`)
    process.exit(data === '' ? 1 : 0)
  })
} else {
  process.stderr.write('usage: peer-echo.mjs server <port> | client <ip> <port>\n')
  process.exit(2)
}
