package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kugutsu/kugutsu/vrm/arkit"
)

// shapeBarsStep is the least change of a weight that redraws its bar.
const shapeBarsStep = 0.005

// shapeBarColumns is how many columns of bars shapeBars draws.
const shapeBarColumns = 2

// shapeBars shows the 52 ARKit blendshape weights (0–1) as labelled bars,
// two columns of 26: a light widget of plain rectangles and texts where
// set redraws only the bars that moved, so that a live stream costs little
// (the panel calls set at most ~15 times a second).
type shapeBars struct {
	widget.BaseWidget
	values [arkit.Count]float32
	r      *shapeBarsRenderer
}

func newShapeBars() *shapeBars {
	b := &shapeBars{}
	b.ExtendBaseWidget(b)
	return b
}

// set shows v (UI goroutine). It redraws only the bars that moved by at
// least shapeBarsStep, and reports whether any did.
func (b *shapeBars) set(v *[arkit.Count]float32) bool {
	moved := false
	for i, x := range v {
		if !(x > 0) { // also NaN
			x = 0
		}
		x = min(x, 1)
		d := x - b.values[i]
		if d >= shapeBarsStep || d <= -shapeBarsStep || (x != b.values[i] && (x == 0 || x == 1)) {
			b.values[i] = x
			moved = true
			if b.r != nil {
				b.r.layoutBar(i)
				canvas.Refresh(b.r.fills[i])
			}
		}
	}
	return moved
}

func (b *shapeBars) CreateRenderer() fyne.WidgetRenderer {
	th := b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r := &shapeBarsRenderer{b: b}
	fg := th.Color(theme.ColorNamePrimary, v)
	bg := th.Color(theme.ColorNameInputBackground, v)
	size := th.Size(theme.SizeNameCaptionText)
	for s := arkit.Shape(0); s < arkit.Count; s++ {
		t := canvas.NewText(s.String(), th.Color(theme.ColorNameForeground, v))
		t.TextSize = size
		r.names[s] = t
		r.tracks[s] = canvas.NewRectangle(bg)
		r.fills[s] = canvas.NewRectangle(fg)
		if w := t.MinSize().Width; w > r.nameWidth {
			r.nameWidth = w
		}
		r.rowHeight = max(r.rowHeight, t.MinSize().Height)
	}
	for s := range r.names {
		r.objects = append(r.objects, r.tracks[s], r.fills[s], r.names[s])
	}
	b.r = r
	return r
}

type shapeBarsRenderer struct {
	b                   *shapeBars
	names               [arkit.Count]*canvas.Text
	tracks, fills       [arkit.Count]*canvas.Rectangle
	objects             []fyne.CanvasObject
	nameWidth           float32
	rowHeight, colWidth float32
}

const (
	shapeBarMin = 60 // least bar length, points
	shapeBarGap = 8  // between a name and its bar, and between columns
)

func (r *shapeBarsRenderer) rows() int { return (arkit.Count + shapeBarColumns - 1) / shapeBarColumns }

func (r *shapeBarsRenderer) MinSize() fyne.Size {
	col := r.nameWidth + shapeBarGap + shapeBarMin
	return fyne.NewSize(shapeBarColumns*col+(shapeBarColumns-1)*shapeBarGap, float32(r.rows())*r.rowHeight)
}

func (r *shapeBarsRenderer) Layout(size fyne.Size) {
	r.colWidth = (size.Width - (shapeBarColumns-1)*shapeBarGap) / shapeBarColumns
	for i := range r.names {
		r.layoutBar(i)
	}
}

// layoutBar places shape i's name, track and fill.
func (r *shapeBarsRenderer) layoutBar(i int) {
	col, row := i/r.rows(), i%r.rows()
	x := float32(col) * (r.colWidth + shapeBarGap)
	y := float32(row) * r.rowHeight
	r.names[i].Move(fyne.NewPos(x, y))
	r.names[i].Resize(fyne.NewSize(r.nameWidth, r.rowHeight))
	barX := x + r.nameWidth + shapeBarGap
	barW := max(r.colWidth-r.nameWidth-shapeBarGap, 0)
	inset := r.rowHeight / 5
	r.tracks[i].Move(fyne.NewPos(barX, y+inset))
	r.tracks[i].Resize(fyne.NewSize(barW, r.rowHeight-2*inset))
	r.fills[i].Move(fyne.NewPos(barX, y+inset))
	r.fills[i].Resize(fyne.NewSize(barW*r.b.values[i], r.rowHeight-2*inset))
}

func (r *shapeBarsRenderer) Refresh() {
	th := r.b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	for i := range r.names {
		r.names[i].Color = th.Color(theme.ColorNameForeground, v)
		r.tracks[i].FillColor = th.Color(theme.ColorNameInputBackground, v)
		r.fills[i].FillColor = th.Color(theme.ColorNamePrimary, v)
		r.layoutBar(i)
	}
	canvas.Refresh(r.b)
}

func (r *shapeBarsRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *shapeBarsRenderer) Destroy()                     {}
