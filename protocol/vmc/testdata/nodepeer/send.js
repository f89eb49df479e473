// A real OSC peer for Kugutsu's VMC receiver tests: node's `osc` package
// (https://github.com/colinbdclark/osc.js) sends one VMC frame to
// 127.0.0.1:PORT as a bundle with a nested bundle and a timetag, plus
// single messages, then exits. Usage: node send.js PORT
"use strict";
const osc = require("osc");

const port = Number(process.argv[2]);
const f = (value) => ({ type: "f", value });
const s = (value) => ({ type: "s", value });
const i = (value) => ({ type: "i", value });

const bones = {
  address: "/VMC/Ext/Bone/Pos",
  args: [s("Head"), f(0), f(0.1), f(0), f(0.1), f(0.2), f(0.3), f(0.9)],
};
const frame = {
  timeTag: osc.timeTag(0), // "now"
  packets: [
    { address: "/VMC/Ext/OK", args: [i(1), i(3), i(0), i(1)] },
    { address: "/VMC/Ext/T", args: [f(42.25)] },
    {
      address: "/VMC/Ext/Root/Pos",
      args: [s("root"), f(1), f(2), f(3), f(0), f(0), f(0), f(1)],
    },
    {
      timeTag: osc.timeTag(0),
      packets: [
        bones,
        {
          address: "/VMC/Ext/Bone/Pos",
          args: [s("LeftUpperArm"), f(-0.1), f(0.2), f(0), f(0), f(0), f(0.7071068), f(0.7071068)],
        },
      ],
    },
    { address: "/VMC/Ext/Blend/Val", args: [s("Blink"), f(0.75)] },
    { address: "/VMC/Ext/Blend/Val", args: [s("ああ"), f(0.5)] },
    { address: "/VMC/Ext/Blend/Apply", args: [] },
  ],
};

const udp = new osc.UDPPort({ localAddress: "127.0.0.1", localPort: 0, remoteAddress: "127.0.0.1", remotePort: port });
udp.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
udp.on("ready", () => {
  udp.send(frame);
  udp.send({ address: "/VMC/Ext/Setting/Color", args: [f(0.2), f(0.4), f(0.6), f(1)] });
  udp.send({ address: "/VMC/Ext/VRM", args: [s("C:\\Avatars\\ドール.vrm"), s("Doll"), s("abc123")] });
  // A bad message in between: too few arguments, dropped and counted.
  udp.send({ address: "/VMC/Ext/Bone/Pos", args: [s("Hips"), f(1)] });
  udp.send({ address: "/VMC/Ext/T", args: [f(43.5)] });
  setTimeout(() => udp.close(), 50);
});
udp.open();
