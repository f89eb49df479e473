package marionette

import (
	"image/color"
	"math"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx"
	"github.com/kugutsu/kugutsu/render"
	"github.com/kugutsu/kugutsu/retarget"
)

// Options are the Marionette options: how the Performer's stream drives the
// avatar (the posing options, retarget.Options, promoted) and what else of
// the Performer's scene the engine uses. The zero value applies nothing of
// the root and no smoothing; use DefaultOptions.
type Options struct {
	// Options are the posing options: root, MR scale and offset, bone
	// positions, smoothing, mirror, cuts (see retarget.Options).
	retarget.Options
	// HideUncalibrated hides the avatar while the Performer reports, in
	// /VMC/Ext/OK (v2.5+), a calibration state other than calibrated (EVMC4U
	// HideInUncalibrated). Performers that send no calibration state are
	// never hidden.
	HideUncalibrated bool
	// PerformerLight and PerformerBackground use /VMC/Ext/Light and
	// /VMC/Ext/Setting/Color, once received, instead of the View's light
	// and background.
	PerformerLight, PerformerBackground bool
	// PerformerCamera views the scene through /VMC/Ext/Cam (pose and FOV),
	// once received, instead of the orbit camera.
	PerformerCamera bool
	// Presence is the idle layer under everything received (breathing,
	// resting arms, head sway, automatic blinks). While any of it is on the
	// engine redraws continuously.
	Presence Presence
	// Jitter is the playout buffer for irregular delivery.
	Jitter Jitter
}

// DefaultOptions are EVMC4U's defaults: root position and rotation applied,
// hips position only, no smoothing, nothing cut (retarget.DefaultOptions),
// the Performer's light and background used, the orbit camera; no idle
// layer (it redraws continuously: the app turns it on, see
// DefaultPresence) and no jitter buffer.
func DefaultOptions() Options {
	return Options{Options: retarget.DefaultOptions(), PerformerLight: true, PerformerBackground: true}
}

// View is how the viewport draws, independent of the Performer.
type View struct {
	// Background is the colour behind the avatar, sRGB (its alpha is
	// ignored: see Transparent).
	Background color.NRGBA
	// Transparent renders the viewport's images with alpha 0 behind the
	// avatar (premultiplied; the UI shows a checkerboard under them); the
	// Performer's background, when in use, is opaque.
	Transparent bool
	// LightYaw and LightPitch aim the key light, degrees: the light comes
	// from yaw degrees about +Y from the avatar's front (positive from its
	// left, +X) and pitch degrees above the horizon.
	LightYaw, LightPitch float64
	// LightColor is the key light's colour, sRGB; its intensity is
	// render.DefaultLightIntensity (white gives the renderer's default).
	LightColor color.NRGBA
	// AA is the anti-aliasing quality.
	AA render.AA
	// Outlines draws MToon outlines.
	Outlines bool
	// SpringBones simulates hair, cloth and accessories (VRM spring bones).
	SpringBones bool
	// RenderScale is the fraction of the viewport's pixel size images are
	// rendered at, 0.25–1 (0 means 1); the UI stretches them to the
	// viewport. Rendering cost falls with its square: a lever for slow
	// machines and heavy avatars.
	RenderScale float64
	// MaxPixels caps the rendered image at this many pixels (width ×
	// height, after the render scale), keeping the aspect ratio; the UI
	// stretches the image to the viewport. It keeps a HiDPI viewport
	// (FYNE_SCALE=2: four times the pixels) costing about what scale 1
	// does. 0: no cap. DefaultMaxPixels is 1280×720.
	MaxPixels int
	// AdaptiveQuality lets the engine choose the anti-aliasing and render
	// scale (AA and RenderScale are then ignored): when too many images
	// take longer than the frame budget it steps anti-aliasing and then
	// the render scale down, and back up when there is headroom (see
	// Stats.Quality for the quality in force).
	AdaptiveQuality bool
}

// DefaultMaxPixels is View.MaxPixels by default: 1280×720.
const DefaultMaxPixels = 1280 * 720

// quality returns the fixed quality v asks for.
func (v View) quality() Quality {
	s := v.RenderScale
	if !(s > 0) || s > 1 {
		s = 1
	}
	return Quality{AA: v.AA, Scale: max(s, 0.25)}
}

// renderSize returns the image size for a w×h viewport at q, at most
// maxPixels pixels (0: no cap).
func (q Quality) renderSize(w, h, maxPixels int) (int, int) {
	s := q.Scale
	if !(s > 0) || s > 1 {
		s = 1
	}
	if maxPixels > 0 {
		if n := float64(w) * float64(h) * s * s; n > float64(maxPixels) {
			s *= math.Sqrt(float64(maxPixels) / n)
		}
	}
	if s == 1 {
		return w, h
	}
	return max(1, int(math.Round(float64(w)*s))), max(1, int(math.Round(float64(h)*s)))
}

// DefaultView matches render.DefaultScene: a grey-blue background, a white
// key light from above the avatar's front right (render.DefaultLight's
// direction to the nearest degree), 4× anti-aliasing at full size (adaptive
// quality off), outlines and spring bones on.
func DefaultView() View {
	yaw, pitch := LightAngles(render.DefaultLight.Direction)
	yaw, pitch = math.Round(yaw), math.Round(pitch)
	return View{
		Background: color.NRGBA{R: 0x50, G: 0x58, B: 0x64, A: 0xff},
		LightYaw:   yaw, LightPitch: pitch,
		LightColor: color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff},
		AA:         render.AA4x, Outlines: true, SpringBones: true, RenderScale: 1, MaxPixels: DefaultMaxPixels,
	}
}

// LightDirection returns the direction a light aimed by yaw and pitch
// (degrees, see View) travels, VRM 1.0 frame: from the light toward the
// avatar.
func LightDirection(yawDeg, pitchDeg float64) mgl32.Vec3 {
	y, p := yawDeg*math.Pi/180, pitchDeg*math.Pi/180
	from := mgl32.Vec3{float32(math.Sin(y) * math.Cos(p)), float32(math.Sin(p)), float32(math.Cos(y) * math.Cos(p))}
	return from.Mul(-1)
}

// LightAngles is the inverse of LightDirection: the yaw and pitch, degrees,
// of a light travelling along d (zero for a zero d).
func LightAngles(d mgl32.Vec3) (yawDeg, pitchDeg float64) {
	if d.Len() == 0 {
		return 0, 0
	}
	from := d.Mul(-1).Normalize()
	yaw := math.Atan2(float64(from[0]), float64(from[2])) * 180 / math.Pi
	pitch := math.Asin(math.Max(-1, math.Min(1, float64(from[1])))) * 180 / math.Pi
	return yaw, pitch
}

// light returns v's key light for the renderer.
func (v View) light() render.Light {
	k := float32(render.DefaultLightIntensity)
	c := v.LightColor
	return render.Light{
		Direction: LightDirection(v.LightYaw, v.LightPitch),
		Color:     mgl32.Vec3{k * mathx.SRGB8ToLinear(c.R), k * mathx.SRGB8ToLinear(c.G), k * mathx.SRGB8ToLinear(c.B)},
	}
}
