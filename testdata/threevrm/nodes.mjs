// nodes.mjs — three-vrm's answer to `kugutsu pose FILE --pose POSE --nodes`.
//
//   node nodes.mjs MODEL.vrm [POSE.json]
//
// Loads MODEL.vrm with three.js' GLTFLoader and @pixiv/three-vrm's
// VRMLoaderPlugin (which includes the VRMC_node_constraint plugin), applies
// POSE through the normalized humanoid, runs vrm.update(0) (humanoid →
// lookAt → expressions → node constraints → spring bones, which do not move
// at delta 0) and prints every node's world position (metres) and world
// rotation ([x, y, z, w]) as
//
//   {"nodes": {"<node name>": {"position": [x, y, z], "rotation": [x, y, z, w]}, …}}
//
// in the VRM 1.0 frame (a VRM 0.x scene is turned with VRMUtils.rotateVRM0).
// Keys are the glTF node names; a node without a name is "#<index>", and a
// name an earlier node already has becomes "<name>#<index>" — the rule
// `kugutsu pose --nodes` follows.
//
// POSE is the project's pose file (cli/posefile.go): "bones" (normalized-bone
// rotations in the VRM 1.0 frame, by VRM 1.0 bone name), "hips" (model-space
// position) and "root" (position, rotation, scale). "expressions" are
// ignored (they move no node); "lookAt" is refused.
//
// Textures are replaced by empty THREE.Texture objects (node has no image
// decoder); nothing here depends on them.

import { readFileSync } from 'node:fs';
import * as THREE from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { VRMLoaderPlugin, VRMUtils } from '@pixiv/three-vrm';

class StubTextures {
  constructor(parser) {
    this.parser = parser;
    this.name = 'KUGUTSU_stub_textures';
  }
  loadTexture() {
    return Promise.resolve(new THREE.Texture());
  }
}

function fail(msg) {
  process.stderr.write(`nodes.mjs: ${msg}\n`);
  process.exit(1);
}

const [modelPath, posePath] = process.argv.slice(2);
if (!modelPath) fail('usage: node nodes.mjs MODEL.vrm [POSE.json]');
const pose = posePath ? JSON.parse(readFileSync(posePath, 'utf8')) : {};
for (const k of Object.keys(pose)) {
  if (!['bones', 'hips', 'root', 'expressions'].includes(k)) fail(`pose field "${k}" is not supported`);
}

// Quiet three-vrm's console warnings: stdout must stay JSON.
console.warn = (...a) => process.stderr.write(a.join(' ') + '\n');
console.log = console.warn;

const buf = readFileSync(modelPath);
const data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
const loader = new GLTFLoader();
loader.register((parser) => new StubTextures(parser));
loader.register((parser) => new VRMLoaderPlugin(parser));
const gltf = await new Promise((resolve, reject) => loader.parse(data, '', resolve, reject));
const vrm = gltf.userData.vrm;
if (!vrm) fail(`${modelPath}: three-vrm found no VRM`);
const nodes = await gltf.parser.getDependencies('node');
const v0 = vrm.meta?.metaVersion === '0';

// The root transform sits above the VRM scene, as Pose.Root* above the model.
// Nodes outside the glTF scene (left parentless by GLTFLoader) go under the
// VRM scene too: Kugutsu places every root node with the root transform.
const root = new THREE.Group();
root.add(vrm.scene);
for (const n of nodes) if (n.parent === null) vrm.scene.add(n);
VRMUtils.rotateVRM0(vrm);
if (pose.root) {
  const r = pose.root;
  if (r.position) root.position.fromArray(r.position);
  if (r.rotation) root.quaternion.fromArray(r.rotation).normalize();
  if (r.scale != null) root.scale.setScalar(r.scale);
}

// A VRM 0.x normalized rig lives in the file's frame (facing −Z): turn the
// VRM 1.0-frame pose into it (R = diag(−1, 1, −1)).
const turnQ = (q) => (v0 ? [-q[0], q[1], -q[2], q[3]] : q);
const turnV = (v) => (v0 ? [-v[0], v[1], -v[2]] : v);
for (const [name, q] of Object.entries(pose.bones ?? {})) {
  const n = vrm.humanoid.getNormalizedBoneNode(name);
  if (!n) continue; // a bone the model lacks is ignored, as Kugutsu does
  n.quaternion.fromArray(turnQ(q)).normalize();
}
if (pose.hips) {
  const n = vrm.humanoid.getNormalizedBoneNode('hips');
  n.position.fromArray(turnV(pose.hips));
}

vrm.update(0);
root.updateMatrixWorld(true);

const out = {};
const used = new Set();
const p = new THREE.Vector3();
const q = new THREE.Quaternion();
const s = new THREE.Vector3();
(gltf.parser.json.nodes ?? []).forEach((def, i) => {
  let key = def.name ?? '';
  if (key === '') key = `#${i}`;
  else if (used.has(key)) key = `${key}#${i}`;
  used.add(key);
  nodes[i].matrixWorld.decompose(p, q, s);
  out[key] = { position: p.toArray(), rotation: q.toArray() };
});
process.stdout.write(JSON.stringify({ nodes: out }) + '\n');
