// Package face maps iFacialMocap face tracking onto a VRM avatar: the 52
// ARKit blendshapes onto Perfect Sync expressions or the VRM preset
// expressions (aa, ih, ou, ee, oh, blink, happy, surprised…), the head's
// Euler angles onto chest, neck and head rotations, the eyes onto eye
// rotations and lookAt, and the head position onto a head offset; with
// calibration, mirroring, per-axis inversion and smoothing. It is pure
// computation, no I/O, no goroutines and no allocation per frame ([Mapper]).
// [Binding] then adapts a mapped [Face] to one avatar (its expression
// indices, bones and lookAt) as the retarget.Face that retarget.Poser mixes
// over the Performer's stream.
//
// Input is an [ifacialmocap.Frame] (the wire format and its face frame are
// described in package protocol/ifacialmocap); every output is in the VRM 1.0
// world frame: metres, +Y up, the avatar faces +Z, its left is +X
// (../shared/docs/field-notes.md §3 and §6). Rotations are unit quaternions
// (mathgl's mgl32.Quat) meant as normalized-bone local rotations.
//
// It left protocol/ifacialmocap in issue 12 so that the protocol packages
// stay wire only and do not link mathgl.
package face
