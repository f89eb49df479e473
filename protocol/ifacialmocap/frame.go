package ifacialmocap

import (
	"errors"

	"github.com/kugutsu/kugutsu/vrm/arkit"
)

// Frame is one parsed iFacialMocap frame. [Parse] fills a caller-owned Frame
// without allocating.
type Frame struct {
	// Blendshapes holds the 52 ARKit coefficients, 0–1 (the wire's 0–100
	// divided by 100 and clamped), indexed by [arkit.Shape]. Left/Right are the
	// user's own left and right (ARKit's convention: eyeLookInLeft is the left
	// eye looking right). Shapes absent from the frame are 0; see Shapes.
	Blendshapes [arkit.Count]float32

	// HeadRotation is the head's Euler angles in degrees, in the face frame
	// described in the package comment: X pitch (+ looks down), Y yaw (+ turns
	// toward the user's own left), Z roll (+ tips the top of the head toward
	// the user's right).
	HeadRotation [3]float32
	// HeadPosition is the head's position in metres relative to the phone's
	// camera, in the same axes as HeadRotation (z is negative: the face is in
	// front of the camera, typically −0.4 to −0.66).
	HeadPosition [3]float32
	// RightEye and LeftEye are the user's right and left eye rotations relative
	// to the head, Euler angles in degrees: X + looks down, Y + looks toward
	// the user's own left, Z is a small roll.
	RightEye, LeftEye [3]float32

	// TrackingOK is false when the frame says "trackingStatus-0" (the phone
	// lost the face and keeps re-sending the last values); true when it says
	// 1 or carries no trackingStatus (older builds).
	TrackingOK bool

	// Present says which of the non-blendshape fields the frame carried.
	Present Present
	// Shapes has bit s set when blendshape s was in the frame.
	Shapes uint64
	// Format is the name/value separator seen: FormatV1 ('-') or FormatV2 ('&').
	Format Format
}

// Has reports whether blendshape s was in the frame.
func (f *Frame) Has(s arkit.Shape) bool { return s.Valid() && f.Shapes&(1<<s) != 0 }

// AllShapes is the Shapes value of a frame that carried all 52 blendshapes.
const AllShapes uint64 = 1<<arkit.Count - 1

// Present is a set of flags for the optional fields of a frame.
type Present uint8

// Fields a frame may carry.
const (
	PresentTrackingStatus Present = 1 << iota // trackingStatus-N
	PresentHeadRotation                       // head# with at least 3 numbers
	PresentHeadPosition                       // head# with 6 numbers
	PresentRightEye                           // rightEye#
	PresentLeftEye                            // leftEye#
)

// Format is the frame format: v1 separates a blendshape name from its value
// with '-', v2 (requested with "|sendDataVersion=v2") with '&' so that values
// may be negative (field notes §6).
type Format uint8

// Frame formats.
const (
	FormatUnknown Format = iota // no name/value field seen
	FormatV1                    // name-value
	FormatV2                    // name&value
)

// String returns "v1", "v2" or "unknown".
func (f Format) String() string {
	switch f {
	case FormatV1:
		return "v1"
	case FormatV2:
		return "v2"
	}
	return "unknown"
}

// Errors returned by [Parse] and [StreamReader]. Each names what was wrong with
// the frame; none carries the frame itself (so returning one never allocates).
var (
	ErrEmpty        = errors.New("ifacialmocap: empty frame")
	ErrNoEquals     = errors.New("ifacialmocap: frame has no '=' between the blendshapes and head/eyes")
	ErrManyEquals   = errors.New("ifacialmocap: frame has more than one '='")
	ErrUnterminated = errors.New("ifacialmocap: frame does not end with '|' (truncated?)")
	ErrEmptyField   = errors.New("ifacialmocap: empty field between '|' separators")
	ErrNoSeparator  = errors.New("ifacialmocap: field has no '-', '&' or '#' after its name")
	ErrEmptyName    = errors.New("ifacialmocap: field has an empty name")
	ErrBadNumber    = errors.New("ifacialmocap: malformed or out-of-range number")
	ErrVectorLength = errors.New("ifacialmocap: wrong number of values (head takes 3 or 6, an eye 3)")
	ErrFrameTooLong = errors.New("ifacialmocap: frame exceeds the size limit without a ___iFacialMocap terminator")
)
