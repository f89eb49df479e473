// sample-vrma.mjs VRM VRMA T1,T2,… — the reference reading of a VRM
// Animation: loads the avatar with @pixiv/three-vrm and the .vrma with
// @pixiv/three-vrm-animation, plays the clip with three's AnimationMixer and
// prints, for each time (seconds), the normalized bone rotations [x,y,z,w],
// the normalized hips position, the expression weights, the lookAt yaw
// and pitch (degrees) and, after the humanoid update, every raw bone's
// world position, as one JSON object on standard output.
// Images are not decoded (node has no DOM): textures load as missing.
import { readFileSync } from 'node:fs';
import * as THREE from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { VRMLoaderPlugin, VRMHumanBoneList } from '@pixiv/three-vrm';
import {
  VRMAnimationLoaderPlugin,
  VRMLookAtQuaternionProxy,
  createVRMAnimationClip,
} from '@pixiv/three-vrm-animation';

const [vrmPath, vrmaPath, timesArg] = process.argv.slice(2);
if (!vrmPath || !vrmaPath || !timesArg) {
  console.error('usage: node sample-vrma.mjs VRM VRMA T1,T2,…');
  process.exit(2);
}
// Texture loading needs a DOM: make every image fail fast (GLTFLoader then
// warns and goes on without the texture).
globalThis.self = globalThis;
globalThis.createImageBitmap = undefined;
console.warn = () => {};
console.error = () => {};

async function load(path, plugin) {
  const loader = new GLTFLoader();
  loader.register(plugin);
  const b = readFileSync(path);
  const ab = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  return loader.parseAsync(ab, '');
}

const gltf = await load(vrmPath, (p) => new VRMLoaderPlugin(p));
const vrm = gltf.userData.vrm;
const animGltf = await load(vrmaPath, (p) => new VRMAnimationLoaderPlugin(p));
const anim = animGltf.userData.vrmAnimations[0];

if (vrm.lookAt) {
  const proxy = new VRMLookAtQuaternionProxy(vrm.lookAt);
  proxy.name = 'VRMLookAtQuaternionProxy';
  vrm.scene.add(proxy);
}
const clip = createVRMAnimationClip(anim, vrm);
const mixer = new THREE.AnimationMixer(vrm.scene);
mixer.clipAction(clip).play();

const out = { duration: clip.duration, samples: [] };
for (const t of timesArg.split(',').map(Number)) {
  mixer.setTime(t);
  const s = { t, bones: {}, expressions: {} };
  for (const name of VRMHumanBoneList) {
    const node = vrm.humanoid.getNormalizedBoneNode(name);
    if (node) s.bones[name] = node.quaternion.toArray();
  }
  s.hips = vrm.humanoid.getNormalizedBoneNode('hips').position.toArray();
  for (const e of vrm.expressionManager?.expressions ?? []) {
    s.expressions[e.expressionName] = e.weight;
  }
  if (vrm.lookAt) s.lookAt = [vrm.lookAt.yaw, vrm.lookAt.pitch];
  // The avatar as shown: normalized rig → raw bones, world positions.
  vrm.humanoid.update();
  vrm.scene.updateMatrixWorld(true);
  s.world = {};
  const v = new THREE.Vector3();
  for (const name of VRMHumanBoneList) {
    const node = vrm.humanoid.getRawBoneNode(name);
    if (node) s.world[name] = node.getWorldPosition(v).toArray();
  }
  out.samples.push(s);
}
process.stdout.write(JSON.stringify(out) + '\n');
