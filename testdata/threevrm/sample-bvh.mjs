// sample-bvh.mjs BVH F1,F2,… — the reference reading of a BVH file: three's
// BVHLoader parses it; for each frame index the script prints every joint's
// rotation [x,y,z,w] and the root position as keyed in the clip, as one JSON
// object on standard output.
import { readFileSync } from 'node:fs';
import { BVHLoader } from 'three/examples/jsm/loaders/BVHLoader.js';

const [path, framesArg] = process.argv.slice(2);
if (!path || !framesArg) {
  console.error('usage: node sample-bvh.mjs BVH F1,F2,…');
  process.exit(2);
}
const { skeleton, clip } = new BVHLoader().parse(readFileSync(path, 'utf8'));
const tracks = Object.fromEntries(clip.tracks.map((t) => [t.name, t]));
const out = { joints: skeleton.bones.map((b) => b.name), frames: clip.tracks[0].times.length, samples: [] };
for (const k of framesArg.split(',').map(Number)) {
  const s = { frame: k, rotations: {}, position: null };
  for (const b of skeleton.bones) {
    const q = tracks[`${b.name}.quaternion`];
    if (q) s.rotations[b.name] = Array.from(q.values.slice(4 * k, 4 * k + 4));
  }
  const root = tracks[`${skeleton.bones[0].name}.position`];
  if (root) s.position = Array.from(root.values.slice(3 * k, 3 * k + 3));
  out.samples.push(s);
}
process.stdout.write(JSON.stringify(out) + '\n');
