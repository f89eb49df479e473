// Package ifacialmocap talks to an iPhone running iFacialMocap directly, with
// no PC companion software: it parses the app's face-tracking frames, runs the
// start/stop/lookForward/bake command protocol over UDP and TCP. It is wire
// only: mapping a frame onto a VRM avatar's expressions, head, neck and eyes
// is package retarget/face.
//
// Sources: the developer page ../shared/spec/ifacialmocap-communication.txt
// ("spec") and ../shared/docs/field-notes.md §6 ("field notes"), checked
// against real frames in ../shared/fixtures/ifacialmocap/.
//
// # Wire protocol (spec; field notes §6)
//
// Commands are UDP datagrams sent to the phone's port 49983 ([DefaultPhonePort]):
//   - start UDP: "iFacialMocap_sahuasouryya9218sauhuiayeta91555dy3719" — the
//     phone then sends one frame per datagram to the PC's UDP 49983 at about
//     60 fps (30 when the phone is hot). Appending "|sendDataVersion=v2" asks
//     for the v2 format ('&' between a blendshape name and its value).
//   - start TCP: "iFacialMocap_UDPTCP_…" — the phone connects to the PC's TCP
//     49986 ("49896" on the English page is a typo) and sends frames each
//     followed by "___iFacialMocap"; TCP reads split and coalesce frames.
//   - stop: "iFacialMocap_UDPTCPSTOP_…"; look forward: "iFacialMocap_lookForward";
//     recorded animation: "iFacialMocap_bakeRecordedAnimation_start" — the
//     phone connects to the PC's TCP 49987 and sends a JSON array of frame
//     strings followed by "___iFacialMocap".
//
// There is no keep-alive: the [Client] re-sends the start command while no
// data arrives, which the phone tolerates.
//
// # Frame grammar (spec; field notes §6)
//
//	[trackingStatus-1|] name-int|…|[hapihapi-0|]=head#rx,ry,rz,px,py,pz|rightEye#rx,ry,rz|leftEye#rx,ry,rz|
//
// Exactly one '='; every field ends with '|'; key order varies; unknown keys
// are ignored. Blendshape values are 0–100 (parsed as signed decimals and
// divided by 100); angles are degrees; head position is metres (z ≈ −0.4 to
// −0.66: the face is in front of the phone's camera). See [Parse].
//
// # Coordinates
//
// The angles are Euler angles in the face's own right-handed frame (ARKit's
// face frame): +X is the user's left, +Y up, +Z out of the face. So +X pitch
// looks down (the fixtures: eyeLookDown ≈ 16–25 goes with eye X ≈ +5…+9°),
// +Y yaw turns toward the user's own left (the fixtures: eyeLookIn_R 54 and
// eyeLookOut_L 44 go with eye Y ≈ +16…+19°; ARKit's eyeLookInRight is the
// right eye looking left), and +Z roll tips the top of the head toward the
// user's right (this one follows from the frame being right-handed; no
// fixture shows a roll). The head is taken to use the same axes as the eyes
// (the captures fit: the two with the head 8–10 cm below the phone,
// y ≈ −0.08…−0.10 m, have it pitched up toward the phone, X ≈ −16…−21°; the
// one with the head level with the phone has X ≈ −1.7°). That frame
// is the VRM 1.0 world frame of an avatar (it faces +Z, its left is +X), so
// retarget/face's Mapper uses the angles as they come when not mirrored; its
// Settings.Invert flips single axes for phones or app settings that differ
// (field notes §6).
//
// Head position is in the phone camera's axes, assumed parallel to the face
// frame's when the user faces the phone: +X the user's left, +Y up, +Z from
// the face toward the phone (so z < 0: the face is in front of the camera).
// z's sign is certain and y's fits the pitches above; x is an assumption, with
// Invert again as the escape hatch.
package ifacialmocap
