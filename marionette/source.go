package marionette

import (
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/vrm"
)

// FaceSource is a second motion source mixed over the VMC stream: face
// expressions and, optionally, the head and eyes — an iFacialMocap phone
// (IFacialMocap, in this package) or any other tracker. Attach one with
// Engine.SetFaceSource.
type FaceSource interface {
	// Face fills f with the source's newest face for avatar av (the avatar
	// about to be drawn, never nil; reusing f's slices) and reports whether
	// there is one to apply: false while disconnected or while the tracker
	// has lost the face, and the face then stops contributing. It is called
	// on the engine's render goroutine once per rendered frame and must not
	// block. The source may keep per-avatar tables keyed by av; it must not
	// pose av.
	Face(av *vrm.Model, f *retarget.Face) bool
	// Changed returns a channel that receives a value when a newer face is
	// available, or when Face's answer changes (the source connected,
	// disconnected, lost the face). It must coalesce (capacity 1, never
	// blocking the source), as vmc.Scene.Changed does; the engine is its
	// only consumer. The engine redraws only on such a signal (or another
	// input), so a source that never signals is never seen.
	Changed() <-chan struct{}
}
