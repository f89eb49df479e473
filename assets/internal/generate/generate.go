// Package generate makes the files package assets embeds, from this
// repository's own code only: the app icon (a portrait of the default
// avatar, painted by package doll) and the default avatar itself (built by
// package doll, its thumbnail drawn by package render, written by
// vrmenc.Encode as VRM 1.0).
//
// Everything here is deterministic: the same toolchain on the same
// architecture produces the same bytes on every run, which the assets tests
// check against the committed files. A new Go release may change
// compress/flate's output (and with it the PNG bytes); re-run
// `go generate ./assets` then.
package generate

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/assets/internal/doll"
	"github.com/kugutsu/kugutsu/render"
	"github.com/kugutsu/kugutsu/vrm"
	"github.com/kugutsu/kugutsu/vrm/humanoid"
	"github.com/kugutsu/kugutsu/vrm/vrmenc"
)

// IconSize is the icon's width and height in pixels.
const IconSize = 512

// File is one generated file.
type File struct {
	Name string // file name inside assets/
	Data []byte
}

// Icon returns the app icon: a 512×512 PNG (RGBA, transparent outside the
// rounded tile) of the doll's face.
func Icon() ([]byte, error) {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, doll.Portrait(IconSize)); err != nil {
		return nil, fmt.Errorf("generate: icon: %w", err)
	}
	return b.Bytes(), nil
}

// ThumbnailSize is the width and height of the VRM meta thumbnail.
const ThumbnailSize = 256

// Avatar builds the default avatar in memory, with its rendered thumbnail.
func Avatar() (*vrm.Model, error) {
	return doll.Build(doll.Options{Thumbnail: Thumbnail})
}

// Thumbnail renders a's meta thumbnail with the project's renderer: a
// ThumbnailSize² bust portrait, arms down, a small smile, on the icon's
// indigo. One worker, so nothing depends on scheduling (the renderer's
// output does not depend on the worker count anyway).
func Thumbnail(a *vrm.Model) (image.Image, error) {
	var p vrm.Pose
	turn := func(axis mgl32.Vec3, deg float32) mgl32.Quat { return mgl32.QuatRotate(mgl32.DegToRad(deg), axis) }
	p.SetRotation(humanoid.LeftUpperArm, turn(mgl32.Vec3{0, 0, 1}, -68))
	p.SetRotation(humanoid.RightUpperArm, turn(mgl32.Vec3{0, 0, 1}, 68))
	p.SetRotation(humanoid.LeftLowerArm, turn(mgl32.Vec3{0, 1, 0}, -25))
	p.SetRotation(humanoid.RightLowerArm, turn(mgl32.Vec3{0, 1, 0}, 25))
	p.SetRotation(humanoid.Head, turn(mgl32.Vec3{0, 0, 1}, 6))
	p.Expressions = []vrm.ExpressionWeight{{Name: "mouthSmileLeft", Weight: 0.5}, {Name: "mouthSmileRight", Weight: 0.5}}
	r := render.New(render.Options{Workers: 1})
	defer r.Close()
	cam := render.Camera{View: mgl32.LookAtV(mgl32.Vec3{0.12, 1.12, 1.25}, mgl32.Vec3{0, 1.0, 0}, mgl32.Vec3{0, 1, 0}), FOV: 30}
	sc := render.DefaultScene(a, vrm.NewRig(a).Pose(&p), cam)
	sc.AA = render.AA4x
	sc.Background = color.NRGBA{R: 0x27, G: 0x34, B: 0x5f, A: 0xff}
	img := image.NewRGBA(image.Rect(0, 0, ThumbnailSize, ThumbnailSize))
	r.Render(img, sc)
	return img, nil
}

// DefaultVRM returns the default avatar as a VRM 1.0 file.
func DefaultVRM() ([]byte, error) {
	a, err := Avatar()
	if err != nil {
		return nil, fmt.Errorf("generate: default avatar: %w", err)
	}
	var b bytes.Buffer
	if err := vrmenc.Encode(&b, a, vrm.Version1); err != nil {
		return nil, fmt.Errorf("generate: default avatar: %w", err)
	}
	return b.Bytes(), nil
}

// Files returns every generated file, in a fixed order.
func Files() ([]File, error) {
	icon, err := Icon()
	if err != nil {
		return nil, err
	}
	avatar, err := DefaultVRM()
	if err != nil {
		return nil, err
	}
	return []File{{"icon.png", icon}, {"default.vrm", avatar}}, nil
}
