package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/render"
	"github.com/kugutsu/kugutsu/retarget"
	"github.com/kugutsu/kugutsu/vrm"
)

func init() {
	register("render", "render a VRM to a PNG with the software renderer (rest pose, a pose file, or a recording's frames)", runRender)
}

// renderOptions are `kugutsu render`'s settings after parsing.
type renderOptions struct {
	out         string
	w, h        int
	posePath    string
	camera      cameraSpec
	yaw, pitch  float64 // degrees, added to the camera's orbit
	zoom        float64 // distance factor
	fov         float64 // degrees
	background  color.NRGBA
	aa          render.AA
	noOutlines  bool
	time        float64 // seconds, MToon UV animation
	expressions []vrm.ExpressionWeight
	maxTexture  int // vrm.Limits.PreviewTextureSize; negative: full size
}

// cameraSpec is a parsed --camera value.
type cameraSpec struct {
	view string                   // front, back, left, right or bust; "" with vmc
	vmc  *retarget.UnityTransform // a Unity camera pose (VMC /VMC/Ext/Cam)
	fov  float64                  // from vmc:…,fov, 0 when absent
}

const renderSynopsis = "FILE.vrm --out OUT.png [--size WxH] [--pose POSE.json] [--camera VIEW] [options]\n" +
	"       kugutsu render FILE.vrm --replay REC --out DIR/|take.webm [--fps N] [options]"

// runRender loads a VRM, poses it (rest pose, or a pose file in the format
// of `kugutsu pose`, plus --expression weights) and renders it to a PNG.
func runRender(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet(env, "kugutsu render", renderSynopsis)
	out := fs.StringP("out", "o", "", "output PNG `FILE` (\"-\" for standard output); required")
	size := fs.String("size", "1280x720", "image size in pixels, `WIDTHxHEIGHT`")
	pose := fs.String("pose", "", "pose `FILE` in the format of kugutsu pose --pose; the rest pose when absent")
	cam := fs.String("camera", "front", "`VIEW`: front, back, left, right (the avatar's left and right side), bust "+
		"(head and chest, from the front), or vmc:X,Y,Z,QX,QY,QZ,QW[,FOV] (a VMC /VMC/Ext/Cam pose in Unity coordinates)")
	yaw := fs.Float64("yaw", 0, "turn the camera around the avatar by `DEG` degrees (positive toward the avatar's left)")
	pitch := fs.Float64("pitch", 0, "raise the camera by `DEG` degrees")
	zoom := fs.Float64("zoom", 1, "camera distance `FACTOR` (< 1 is closer)")
	fov := fs.Float64("fov", render.DefaultFOV, "vertical field of view, `DEG` degrees")
	bg := fs.String("background", "#505864", "background `COLOUR`: #RRGGBB, #RRGGBBAA or transparent")
	aa := fs.String("aa", "4x", "anti-aliasing `MODE`: 4x or off")
	noOutlines := fs.Bool("no-outlines", false, "do not draw MToon outlines")
	tm := fs.Float64("time", 0, "time in `SECONDS`, for MToon UV animation")
	exprs := fs.StringArray("expression", nil, "expression weight `NAME=WEIGHT` (0–1); repeatable, applied after the pose file's")
	maxTex := fs.Int("max-texture", vrm.DefaultLimits.PreviewTextureSize, "downscale textures wider or taller than `PIXELS` at load to fit; 0 keeps every texture at full size")
	replay := fs.String("replay", "", "render the recording `REC` (kugutsu record) as a PNG sequence into the directory --out "+
		"(or a VP9 WebM with alpha when --out ends in .webm and ffmpeg is installed); background transparent unless --background")
	fps := fs.Float64("fps", 60, "frames per second with --replay, 1–240")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	o := renderOptions{out: *out, posePath: *pose, yaw: *yaw, pitch: *pitch, zoom: *zoom, fov: *fov, noOutlines: *noOutlines, time: *tm, maxTexture: *maxTex}
	bad := func(format string, a ...any) error {
		fmt.Fprintf(env.Stderr, "kugutsu render: "+format+"\n", a...)
		fs.Usage()
		return errUsage
	}
	var err error
	if o.out == "" {
		return bad("--out is required")
	}
	if o.w, o.h, err = parseSize(*size); err != nil {
		return bad("--size: %v", err)
	}
	if o.camera, err = parseCamera(*cam); err != nil {
		return bad("--camera: %v", err)
	}
	if o.background, err = parseColor(*bg); err != nil {
		return bad("--background: %v", err)
	}
	switch *aa {
	case "4x", "4":
		o.aa = render.AA4x
	case "off", "1", "none":
		o.aa = render.AAOff
	default:
		return bad("--aa: %q is neither 4x nor off", *aa)
	}
	for _, name := range []string{"yaw", "pitch", "zoom", "fov", "time"} {
		v, _ := fs.GetFloat64(name)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return bad("--%s: %v is not a finite number", name, v)
		}
	}
	switch {
	case o.maxTexture < 0:
		return bad("--max-texture: %d is negative", o.maxTexture)
	case o.maxTexture == 0:
		o.maxTexture = -1 // vrm.Limits: negative keeps full size
	}
	if !(o.zoom > 0) {
		return bad("--zoom: %v is not positive", o.zoom)
	}
	if !(o.fov > 0 && o.fov < 180) {
		return bad("--fov: %v is not between 0 and 180 degrees", o.fov)
	}
	for _, e := range *exprs {
		w, err := parseExpression(e)
		if err != nil {
			return bad("--expression: %v", err)
		}
		o.expressions = append(o.expressions, w)
	}
	if *replay != "" {
		if !(*fps >= 1 && *fps <= 240) {
			return bad("--fps %v is not between 1 and 240", *fps)
		}
		if o.posePath != "" || len(o.expressions) > 0 {
			return bad("--replay takes its poses from the recording: drop --pose and --expression")
		}
		if !fs.Changed("background") {
			o.background = color.NRGBA{}
		}
		return renderReplay(ctx, env, fs.Arg(0), *replay, *fps, &o)
	}
	return renderFile(env, fs.Arg(0), &o)
}

func renderFile(env Env, path string, o *renderOptions) error {
	lim := vrm.DefaultLimits
	lim.PreviewTextureSize = o.maxTexture
	av, err := loadFile(path, lim)
	if err != nil {
		return err
	}
	var p *vrm.Pose
	if o.posePath != "" {
		if p, err = readPoseFile(o.posePath); err != nil {
			return err
		}
	}
	if len(o.expressions) > 0 {
		if p == nil {
			p = &vrm.Pose{}
		}
		p.Expressions = append(p.Expressions, o.expressions...)
	}
	if p != nil {
		for _, e := range p.Expressions {
			if _, ok := av.ExpressionIndex(e.Name); !ok {
				fmt.Fprintf(env.Stderr, "kugutsu render: %s has no expression %q; ignored\n", path, e.Name)
			}
		}
	}
	f := vrm.NewRig(av).Pose(p)
	s := render.DefaultScene(av, f, o.cameraFor(av, f))
	s.Background, s.AA, s.HideOutlines, s.Time = o.background, o.aa, o.noOutlines, float32(o.time)

	r := render.New(render.Options{})
	defer r.Close()
	img := image.NewRGBA(image.Rect(0, 0, o.w, o.h))
	r.Render(img, s)
	return writeImage(env, o.out, img)
}

// cameraFor returns the camera the options ask for, framing the avatar as
// posed in f.
func (o *renderOptions) cameraFor(av *vrm.Model, f *vrm.Frame) render.Camera {
	rad := func(deg float64) float32 { return float32(deg * math.Pi / 180) }
	if t := o.camera.vmc; t != nil {
		fov := o.fov
		if o.camera.fov > 0 {
			fov = o.camera.fov
		}
		c := retarget.CameraFromUnity(*t, float32(fov))
		return render.CameraAt(c.Position, c.Rotation, c.FOV)
	}
	framing, yaw := render.FrameFullBody, 0.0
	switch o.camera.view {
	case "bust":
		framing = render.FrameBust
	case "back":
		yaw = 180
	case "left": // on the avatar's left, +X
		yaw = 90
	case "right":
		yaw = -90
	}
	orbit := render.FrameAvatar(av, f, float32(o.fov), float32(o.w)/float32(o.h), framing)
	orbit.Rotate(rad(yaw+o.yaw), rad(o.pitch))
	orbit.Zoom(float32(o.zoom))
	return orbit.Camera()
}

// writeImage encodes img as PNG to path, or to standard output for "-".
func writeImage(env Env, path string, img image.Image) error {
	if path == "-" {
		w := bufio.NewWriter(env.Stdout)
		if err := png.Encode(w, img); err != nil {
			return err
		}
		return w.Flush()
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	err = png.Encode(w, img)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// maxImageSide bounds --size, pixels per side (the renderer's own limit).
const maxImageSide = 16384

// parseSize reads "WIDTHxHEIGHT" (an x, X or ×), each 1…16384 pixels.
func parseSize(s string) (w, h int, err error) {
	s = strings.ReplaceAll(s, "×", "x")
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	if !ok {
		return 0, 0, fmt.Errorf("%q is not WIDTHxHEIGHT", s)
	}
	w, err1 := strconv.Atoi(strings.TrimSpace(ws))
	h, err2 := strconv.Atoi(strings.TrimSpace(hs))
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%q is not WIDTHxHEIGHT", s)
	}
	if w < 1 || h < 1 || w > maxImageSide || h > maxImageSide {
		return 0, 0, fmt.Errorf("%dx%d: each side must be 1 to %d pixels", w, h, maxImageSide)
	}
	return w, h, nil
}

// parseColor reads #RRGGBB or #RRGGBBAA (the # optional, sRGB, not
// premultiplied), or "transparent".
func parseColor(s string) (color.NRGBA, error) {
	if strings.EqualFold(s, "transparent") || strings.EqualFold(s, "none") {
		return color.NRGBA{}, nil
	}
	hex := strings.TrimPrefix(s, "#")
	if len(hex) != 6 && len(hex) != 8 {
		return color.NRGBA{}, fmt.Errorf("%q is not #RRGGBB, #RRGGBBAA or transparent", s)
	}
	v, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return color.NRGBA{}, fmt.Errorf("%q is not #RRGGBB, #RRGGBBAA or transparent", s)
	}
	if len(hex) == 6 {
		v = v<<8 | 0xff
	}
	return color.NRGBA{R: uint8(v >> 24), G: uint8(v >> 16), B: uint8(v >> 8), A: uint8(v)}, nil
}

var errCameraSpec = errors.New("want front, back, left, right, bust or vmc:X,Y,Z,QX,QY,QZ,QW[,FOV]")

// parseCamera reads a --camera value.
func parseCamera(s string) (cameraSpec, error) {
	switch v := strings.ToLower(s); v {
	case "front", "back", "left", "right", "bust":
		return cameraSpec{view: v}, nil
	}
	rest, ok := strings.CutPrefix(s, "vmc:")
	if !ok {
		return cameraSpec{}, fmt.Errorf("%q: %w", s, errCameraSpec)
	}
	parts := strings.Split(rest, ",")
	if len(parts) != 7 && len(parts) != 8 {
		return cameraSpec{}, fmt.Errorf("%q: %d numbers: %w", s, len(parts), errCameraSpec)
	}
	var v [8]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 32)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return cameraSpec{}, fmt.Errorf("%q: %q is not a finite number: %w", s, p, errCameraSpec)
		}
		v[i] = x
	}
	q := mgl32.Quat{W: float32(v[6]), V: mgl32.Vec3{float32(v[3]), float32(v[4]), float32(v[5])}}
	if q.Len() < 1e-6 {
		return cameraSpec{}, fmt.Errorf("%q: the rotation is a zero quaternion", s)
	}
	q = q.Normalize()
	t := &retarget.UnityTransform{
		Position: [3]float32{float32(v[0]), float32(v[1]), float32(v[2])},
		Rotation: [4]float32{q.V[0], q.V[1], q.V[2], q.W},
	}
	spec := cameraSpec{vmc: t}
	if len(parts) == 8 {
		if !(v[7] > 0 && v[7] < 180) {
			return cameraSpec{}, fmt.Errorf("%q: field of view %v is not between 0 and 180 degrees", s, v[7])
		}
		spec.fov = v[7]
	}
	return spec, nil
}

// parseExpression reads NAME=WEIGHT, the weight 0–1.
func parseExpression(s string) (vrm.ExpressionWeight, error) {
	name, ws, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return vrm.ExpressionWeight{}, fmt.Errorf("%q is not NAME=WEIGHT", s)
	}
	w, err := strconv.ParseFloat(strings.TrimSpace(ws), 32)
	if err != nil || !(w >= 0 && w <= 1) {
		return vrm.ExpressionWeight{}, fmt.Errorf("%q: the weight must be a number from 0 to 1", s)
	}
	return vrm.ExpressionWeight{Name: name, Weight: float32(w)}, nil
}
