// Runs inside one workload network namespace (`ip netns exec <ns> node prober.mjs <tcpPort> <udpPort>`):
// a TCP listener that answers "ok" and closes, a UDP listener that echoes, and a client that
// takes one JSON probe per stdin line ({id, proto, ip, port, timeoutMs}) and prints {id, ok}.
// Exits when stdin closes, so it never outlives the test that started it.
import {createSocket} from 'node:dgram'
import {connect, createServer} from 'node:net'
import {createInterface} from 'node:readline'

const [tcpPort, udpPort] = process.argv.slice(2).map(Number)

const tcp = createServer((socket) => {
  socket.on('error', () => undefined)
  socket.end('ok')
})
const udp = createSocket('udp4')
udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address))

function probeTcp(ip, port, timeoutMs) {
  return new Promise((resolve) => {
    const socket = connect({host: ip, port})
    let data = ''
    const done = (ok) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    socket.on('data', (chunk) => {
      data += chunk.toString()
      if (data === 'ok') done(true)
    })
    socket.on('error', () => done(false))
    socket.on('close', () => done(data === 'ok'))
  })
}

function probeUdp(ip, port, timeoutMs) {
  return new Promise((resolve) => {
    const socket = createSocket('udp4')
    const token = `probe-${Math.random()}`
    const done = (ok) => {
      clearTimeout(timer)
      socket.close()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    socket.on('message', (msg) => {
      if (msg.toString() === token) done(true)
    })
    socket.on('error', () => done(false))
    socket.send(token, port, ip)
  })
}

tcp.listen(tcpPort, '0.0.0.0', () => {
  udp.bind(udpPort, '0.0.0.0', () => {
    process.stdout.write('{"ready":true}\n')
    const lines = createInterface({input: process.stdin})
    lines.on('line', async (line) => {
      const req = JSON.parse(line)
      const ok = req.proto === 'tcp' ? await probeTcp(req.ip, req.port, req.timeoutMs) : await probeUdp(req.ip, req.port, req.timeoutMs)
      process.stdout.write(`${JSON.stringify({id: req.id, ok})}\n`)
    })
    lines.on('close', () => process.exit(0))
  })
})
