// Package marionette is Kugutsu's Marionette engine, everything the window
// shows except the window: it receives a Performer's VMC stream
// (protocol/vmc), turns the newest scene frame into a pose of the shown VRM
// avatar with the Marionette options — root, MR scale and offset
// (EVMC4U's rules, field notes §1), bone position mode, per-region cuts,
// mirror, time-based smoothing, hide while uncalibrated, the Performer's
// light, background and camera — steps spring bones (package vrm), and
// renders (package render) off the UI goroutine into a triple buffer of
// tightly packed images at the viewport's pixel size, only when something
// changed and at most 60 times a second (field notes §7).
//
// It also loads avatars in the background (keeping the shown one on
// error), applies the /VMC/Ext/VRM auto-load policy (off by default; only
// an approved, existing regular .vrm file under a size cap), keeps latency
// and frame-rate statistics, and mixes in a second motion source through
// FaceSource: IFacialMocap drives the face, head and eyes from an iPhone
// running iFacialMocap (protocol/ifacialmocap), adapted to the shown avatar
// (Perfect Sync or VRM presets, its bones and lookAt), over the
// Performer's stream as retarget.FaceMix says (the mapping and its
// adaptation to the avatar are package retarget/face's).
//
// The posing itself is package retarget's (retarget.Poser, pure): the
// engine owns the goroutines, buffers, loading and statistics around it.
// Coordinates: the scene is in Unity's frame as received; poses, cameras
// and lights are converted to the VRM 1.0 frame (field notes §3) by
// package retarget.
package marionette
