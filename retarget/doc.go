// Package retarget turns what a Performer sends into a pose of a VRM
// avatar: a VMC scene frame (protocol/vmc.Frame, Unity's frame as received)
// and optionally a face from a second source (Face, mixed by FaceMix), with
// the Marionette's posing options (Options), become a vrm.Pose —
// normalized-bone rotations and the hips position in the VRM 1.0 frame,
// the root, expression weights (Poser). The Unity→VRM conversions of
// positions, rotations, cameras and lights live here too (unity.go).
//
// It is pure computation: no goroutines, no clock (time steps are given),
// no sockets or files, and no allocation per frame in steady state (a
// Poser allocates its tables per avatar and remembers new blend keys as
// they first arrive). The engine (package marionette) owns the goroutines, buffers,
// loading and statistics around it; offline tools (cli export, render of a
// recording) run a Poser on a recorded clock.
//
// Coordinates (../shared/docs/field-notes.md §3, UniVRM coordinate.md):
// Unity is left-handed, +X right, +Y up, the avatar faces +Z; the VRM 1.0
// frame is right-handed, +Y up, the avatar faces +Z with its left on +X.
// Unity → VRM 1.0 is ReverseX: p = (−x, y, z), q = (qx, −qy, −qz, qw); a
// Unity camera or light looks along its local +Z, so after ReverseX it gets
// a 180° turn about Y on the right to look along −Z as glTF cameras do.
// VMC bone rotations are local rotations of a humanoid whose rest rotations
// are identity, which after ReverseX are exactly vrm.Pose's normalized
// rotations (field notes §3, "Normalized rig"). The options follow EVMC4U
// (field notes §1): MR scale and offset, cuts, fingers and eyes never
// smoothed, blend keys case-insensitive with VRM 0.x/1.0 preset fallback.
//
// Subpackage face maps iFacialMocap's ARKit face onto an avatar and
// produces the Face this package mixes in.
package retarget
