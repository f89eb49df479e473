package ifacialmocap

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kugutsu/kugutsu/internal/testutil"
	"github.com/kugutsu/kugutsu/vrm/arkit"
)

// fixture is one real frame from ../shared/fixtures/ifacialmocap; each
// file holds one frame and its final newline is not part of it (fixtures
// README).
type fixture = testutil.TextFixture

// loadFixtures reads every real frame (skipping the test when
// ../shared/fixtures/ifacialmocap is missing, unless KUGUTSU_REQUIRE_MODELS=1).
func loadFixtures(t testing.TB) []fixture {
	t.Helper()
	return testutil.TextFixtures(t, testutil.SharedFixtures(t, "ifacialmocap"))
}

// textValues reads a frame the slow, obvious way, as an independent check of
// Parse: name → number as written, for the blendshape fields; and the vectors.
func textValues(t *testing.T, frame string) (shapes map[string]float64, vecs map[string][]float64) {
	t.Helper()
	shapes, vecs = map[string]float64{}, map[string][]float64{}
	before, after, ok := strings.Cut(frame, "=")
	if !ok {
		t.Fatal("fixture has no '='")
	}
	for _, f := range strings.Split(strings.TrimSuffix(before, "|"), "|") {
		i := strings.IndexAny(f, "-&")
		v, err := strconv.ParseFloat(f[i+1:], 64)
		if err != nil {
			t.Fatalf("fixture field %q: %v", f, err)
		}
		shapes[f[:i]] = v
	}
	for _, f := range strings.Split(strings.TrimSuffix(after, "|"), "|") {
		name, list, _ := strings.Cut(f, "#")
		for _, s := range strings.Split(list, ",") {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("fixture field %q: %v", f, err)
			}
			vecs[name] = append(vecs[name], v)
		}
	}
	return shapes, vecs
}

func checkVec(t *testing.T, what string, got [3]float32, want []float64) {
	t.Helper()
	for i := range 3 {
		if got[i] != float32(want[i]) {
			t.Errorf("%s[%d] = %v, want %v", what, i, got[i], float32(want[i]))
		}
	}
}

func TestParseFixtures(t *testing.T) {
	for _, fx := range loadFixtures(t) {
		t.Run(fx.Name, func(t *testing.T) {
			var f Frame
			if err := ParseString(fx.Text, &f); err != nil {
				t.Fatal(err)
			}
			shapes, vecs := textValues(t, fx.Text)
			n := 0
			for name, v := range shapes {
				s, ok := arkit.Parse(name)
				if !ok {
					if name != "trackingStatus" && name != "hapihapi" {
						t.Errorf("fixture has unexpected key %q", name)
					}
					continue
				}
				n++
				if want := float32(v / 100); f.Blendshapes[s] != want {
					t.Errorf("%s (%v) = %v, want %v", name, s, f.Blendshapes[s], want)
				}
				if !f.Has(s) {
					t.Errorf("%v not marked present", s)
				}
			}
			if n != arkit.Count || f.Shapes != AllShapes {
				t.Errorf("%d shapes in the text, Shapes = %#x; want all 52", n, f.Shapes)
			}
			checkVec(t, "HeadRotation", f.HeadRotation, vecs["head"][:3])
			checkVec(t, "HeadPosition", f.HeadPosition, vecs["head"][3:])
			checkVec(t, "RightEye", f.RightEye, vecs["rightEye"])
			checkVec(t, "LeftEye", f.LeftEye, vecs["leftEye"])
			want := PresentHeadRotation | PresentHeadPosition | PresentRightEye | PresentLeftEye
			if _, ok := shapes["trackingStatus"]; ok {
				want |= PresentTrackingStatus
			}
			if f.Present != want {
				t.Errorf("Present = %b, want %b", f.Present, want)
			}
			if !f.TrackingOK {
				t.Error("TrackingOK = false")
			}
			if f.Format != FormatV1 {
				t.Errorf("Format = %v", f.Format)
			}
			// Head position is in metres, the face in front of the camera.
			if z := f.HeadPosition[2]; z > -0.3 || z < -0.8 {
				t.Errorf("head z = %v m, want about −0.4…−0.66", z)
			}
		})
	}
}

// TestParseOfficialSample pins values of the developer page's sample frame,
// typed from the text by hand.
func TestParseOfficialSample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testutil.SharedFixtures(t, "ifacialmocap"), "v1_official_sample.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var f Frame
	if err := Parse(b, &f); err != nil { // with its final newline: trailing whitespace is tolerated
		t.Fatal(err)
	}
	cases := []struct {
		s    arkit.Shape
		want float32
	}{
		{arkit.EyeBlinkLeft, 0.07}, {arkit.EyeBlinkRight, 0.07}, {arkit.JawOpen, 0.12},
		{arkit.MouthShrugUpper, 0.26}, {arkit.NoseSneerLeft, 0.21}, {arkit.MouthLeft, 0.01},
		{arkit.MouthRight, 0}, {arkit.BrowInnerUp, 0.2}, {arkit.EyeLookDownRight, 0.17},
	}
	for _, c := range cases {
		if f.Blendshapes[c.s] != c.want {
			t.Errorf("%v = %v, want %v", c.s, f.Blendshapes[c.s], c.want)
		}
	}
	if want := ([3]float32{-21.488958, -6.038993, -6.6019735}); f.HeadRotation != want {
		t.Errorf("head rotation %v, want %v", f.HeadRotation, want)
	}
	if want := ([3]float32{-0.030653415, -0.10287084, -0.6584072}); f.HeadPosition != want {
		t.Errorf("head position %v, want %v", f.HeadPosition, want)
	}
	if want := ([3]float32{6.0297494, 2.4403017, 0.25649446}); f.RightEye != want {
		t.Errorf("right eye %v, want %v", f.RightEye, want)
	}
	if want := ([3]float32{6.034903, -1.6660284, -0.17520553}); f.LeftEye != want {
		t.Errorf("left eye %v, want %v", f.LeftEye, want)
	}
	if f.Present&PresentTrackingStatus != 0 || !f.TrackingOK {
		t.Error("the sample has no trackingStatus: TrackingOK must default to true")
	}
}

// TestFixtureEyeSigns checks the axis convention the mapper relies on (field
// notes §6, fixtures README): looking down is +X, looking toward the user's
// own left is +Y.
func TestFixtureEyeSigns(t *testing.T) {
	for _, fx := range loadFixtures(t) {
		var f Frame
		if err := ParseString(fx.Text, &f); err != nil {
			t.Fatal(err)
		}
		for _, e := range []struct {
			name      string
			rot       [3]float32
			down      arkit.Shape
			in, out   arkit.Shape
			leftIsOut bool // for this eye, looking to the user's left is "out"
		}{
			{"right", f.RightEye, arkit.EyeLookDownRight, arkit.EyeLookInRight, arkit.EyeLookOutRight, false},
			{"left", f.LeftEye, arkit.EyeLookDownLeft, arkit.EyeLookInLeft, arkit.EyeLookOutLeft, true},
		} {
			if d := f.Blendshapes[e.down]; d >= 0.16 && (e.rot[0] < 5 || e.rot[0] > 9.5) {
				t.Errorf("%s: %s eyeLookDown %.2f with eye X %.1f°, want +5…+9°", fx.Name, e.name, d, e.rot[0])
			}
			towardLeft := f.Blendshapes[e.in]
			towardRight := f.Blendshapes[e.out]
			if e.leftIsOut {
				towardLeft, towardRight = towardRight, towardLeft
			}
			if towardLeft > 0.3 && e.rot[1] <= 0 {
				t.Errorf("%s: %s eye looks to the user's left (%.2f) with Y %.1f°, want > 0", fx.Name, e.name, towardLeft, e.rot[1])
			}
			if towardRight > 0.3 && e.rot[1] >= 0 {
				t.Errorf("%s: %s eye looks to the user's right (%.2f) with Y %.1f°, want < 0", fx.Name, e.name, towardRight, e.rot[1])
			}
		}
	}
}

// toV2 converts a v1 frame to v2 ('&' separators), as the phone does when
// asked with "|sendDataVersion=v2".
func toV2(frame string) string {
	shapes, pose, _ := strings.Cut(frame, "=")
	fields := strings.Split(shapes, "|")
	for i, f := range fields {
		fields[i] = strings.Replace(f, "-", "&", 1)
	}
	return strings.Join(fields, "|") + "=" + pose
}

func TestParseV2(t *testing.T) {
	for _, fx := range loadFixtures(t) {
		var v1, v2 Frame
		if err := ParseString(fx.Text, &v1); err != nil {
			t.Fatal(err)
		}
		s := toV2(fx.Text)
		if strings.Contains(strings.Split(s, "=")[0], "-") {
			t.Fatalf("conversion left a '-': %s", s)
		}
		if err := ParseString(s, &v2); err != nil {
			t.Fatalf("%s as v2: %v", fx.Name, err)
		}
		if v2.Format != FormatV2 {
			t.Errorf("Format = %v", v2.Format)
		}
		v2.Format = FormatV1
		if v1 != v2 {
			t.Errorf("%s: v2 parse differs from v1:\n%+v\n%+v", fx.Name, v1, v2)
		}
	}
	// v2 carries negative values; blendshapes clamp to 0–1, trackingStatus&0
	// means lost.
	var f Frame
	if err := ParseString("trackingStatus&0|mouthSmile_L&-5|jawOpen&150|eyeBlink_R&12.5|=head#1,-2,3|", &f); err != nil {
		t.Fatal(err)
	}
	if f.TrackingOK || f.Present&PresentTrackingStatus == 0 {
		t.Error("trackingStatus&0 must clear TrackingOK")
	}
	if f.Blendshapes[arkit.MouthSmileLeft] != 0 || f.Blendshapes[arkit.JawOpen] != 1 || f.Blendshapes[arkit.EyeBlinkRight] != 0.125 {
		t.Errorf("clamping: %v %v %v", f.Blendshapes[arkit.MouthSmileLeft], f.Blendshapes[arkit.JawOpen], f.Blendshapes[arkit.EyeBlinkRight])
	}
	if f.Present&PresentHeadPosition != 0 || f.HeadRotation != ([3]float32{1, -2, 3}) {
		t.Errorf("head with 3 values: %+v", f)
	}
}

func TestParseGrammar(t *testing.T) {
	ok := []struct {
		name, in string
		check    func(f *Frame) bool
	}{
		{"key order free", "=leftEye#1,2,3|head#4,5,6,0.1,0.2,-0.5|rightEye#7,8,9|",
			func(f *Frame) bool {
				return f.LeftEye == [3]float32{1, 2, 3} && f.RightEye == [3]float32{7, 8, 9} && f.HeadPosition[2] == -0.5
			}},
		{"unknown keys ignored, values unread", "hapihapi-xyz|futureKey&!!|jawOpen-50|=head#0,0,0|neck#not,numbers|",
			func(f *Frame) bool { return f.Blendshapes[arkit.JawOpen] == 0.5 && f.Shapes == 1<<arkit.JawOpen }},
		{"v1 negative value", "jawOpen--5|=head#0,0,0|", func(f *Frame) bool { return f.Blendshapes[arkit.JawOpen] == 0 }},
		{"signed and exponent numbers", "jawOpen-+2.5e1|=head#-1.5E+1,+2,.5,3.,1e-3,-0|",
			func(f *Frame) bool {
				return f.Blendshapes[arkit.JawOpen] == 0.25 && f.HeadRotation == [3]float32{-15, 2, 0.5} &&
					f.HeadPosition == [3]float32{3, 0.001, 0}
			}},
		{"spaces around names and numbers", " jawOpen - 40 |= head # 1 , 2 , 3 |", func(f *Frame) bool {
			return f.Blendshapes[arkit.JawOpen] == 0.4 && f.HeadRotation == [3]float32{1, 2, 3}
		}},
		{"trailing newline", "jawOpen-40|=head#1,2,3|\r\n", func(f *Frame) bool { return f.Blendshapes[arkit.JawOpen] == 0.4 }},
		{"ARKit and odd-case spellings", "EyeBlinkLeft-10|eyeblink_r-20|JAWLEFT-30|=", func(f *Frame) bool {
			return f.Blendshapes[arkit.EyeBlinkLeft] == 0.1 && f.Blendshapes[arkit.EyeBlinkRight] == 0.2 && f.Blendshapes[arkit.JawLeft] == 0.3
		}},
		{"blendshapes only", "jawOpen-1|=", func(f *Frame) bool { return f.Present == 0 && f.Blendshapes[arkit.JawOpen] == 0.01 }},
		{"pose only", "=head#1,2,3|", func(f *Frame) bool { return f.Shapes == 0 && f.Present == PresentHeadRotation }},
		{"duplicate key: last wins", "jawOpen-10|jawOpen-20|=", func(f *Frame) bool { return f.Blendshapes[arkit.JawOpen] == 0.2 }},
		{"many digits", "jawOpen-12.345678901234567890123|=head#0.000000000000000000000000123,1e-30,123456789012345678901234|",
			func(f *Frame) bool {
				return f.Blendshapes[arkit.JawOpen] == float32(0.12345678901234567890123) && f.HeadRotation[0] == float32(1.23e-25) &&
					f.HeadRotation[1] == float32(1e-30) && f.HeadRotation[2] == float32(1.2345678901234568e23)
			}},
	}
	for _, c := range ok {
		var f Frame
		if err := ParseString(c.in, &f); err != nil {
			t.Errorf("%s: %q: %v", c.name, c.in, err)
			continue
		}
		if !c.check(&f) {
			t.Errorf("%s: %q parsed to %+v", c.name, c.in, f)
		}
	}

	bad := []struct {
		in   string
		want error
	}{
		{"", ErrEmpty},
		{" \r\n", ErrEmpty},
		{"=", ErrEmpty},
		{"jawOpen-1|head#1,2,3|", ErrNoEquals},
		{"jawOpen-1|=head#1,2,3|=leftEye#1,2,3|", ErrManyEquals},
		{"jawOpen-1=head#1,2,3|", ErrUnterminated},
		{"jawOpen-1|=head#1,2,3|leftEye#1,2", ErrUnterminated},
		{"jawOpen-1||=head#1,2,3|", ErrEmptyField},
		{"jawOpen-1|=head#1,2,3|   |", ErrEmptyField},
		{"jawOpen|=head#1,2,3|", ErrNoSeparator},
		{"jawOpen-1|=head|", ErrNoSeparator},
		{"-5|=head#1,2,3|", ErrEmptyName},
		{"jawOpen-|=", ErrBadNumber},
		{"jawOpen-abc|=", ErrBadNumber},
		{"jawOpen-1.2.3|=", ErrBadNumber},
		{"jawOpen-nan|=", ErrBadNumber},
		{"jawOpen-inf|=", ErrBadNumber},
		{"jawOpen-0x10|=", ErrBadNumber},
		{"jawOpen-1e|=", ErrBadNumber},
		{"jawOpen-.|=", ErrBadNumber},
		{"jawOpen-1_000|=", ErrBadNumber},
		{"trackingStatus-x|=", ErrBadNumber},
		{"=head#1,2,1e39|", ErrBadNumber},
		{"=head#1,2,3,|", ErrBadNumber},
		{"=head#1,,3|", ErrBadNumber},
		{"=head#1,2|", ErrVectorLength},
		{"=head#1,2,3,4|", ErrVectorLength},
		{"=head#1,2,3,4,5,6,7|", ErrVectorLength},
		{"=leftEye#1,2,3,4,5,6|", ErrVectorLength},
		{"=rightEye#1|", ErrVectorLength},
		{"=head#" + strings.Repeat("1", 65) + ",1,1|", ErrBadNumber},
	}
	for _, c := range bad {
		var f Frame
		if err := ParseString(c.in, &f); !errors.Is(err, c.want) {
			t.Errorf("%q: err = %v, want %v", c.in, err, c.want)
		}
	}
}

// TestParseTruncated cuts every real frame at every length: each cut either
// fails or, when it happens to end on a field boundary, yields a frame whose
// present fields match the whole frame's.
func TestParseTruncated(t *testing.T) {
	for _, fx := range loadFixtures(t) {
		var whole Frame
		if err := ParseString(fx.Text, &whole); err != nil {
			t.Fatal(err)
		}
		b := []byte(fx.Text)
		for n := range len(b) {
			var f Frame
			if err := Parse(b[:n], &f); err != nil {
				continue
			}
			for s := arkit.Shape(0); s < arkit.Count; s++ {
				if f.Has(s) && f.Blendshapes[s] != whole.Blendshapes[s] {
					t.Errorf("%s[:%d]: %v = %v, want %v", fx.Name, n, s, f.Blendshapes[s], whole.Blendshapes[s])
				}
			}
			if f.Present&PresentLeftEye != 0 && f.LeftEye != whole.LeftEye ||
				f.Present&PresentRightEye != 0 && f.RightEye != whole.RightEye ||
				f.Present&PresentHeadPosition != 0 && f.HeadPosition != whole.HeadPosition {
				t.Errorf("%s[:%d] parsed a cut vector: %+v", fx.Name, n, f)
			}
			if n < len(b) && f.Shapes == whole.Shapes && f.Present == whole.Present {
				t.Errorf("%s[:%d]: a cut frame parsed as complete", fx.Name, n)
			}
		}
	}
}

// TestParseGarbage feeds random bytes and random mutations of real frames:
// Parse must return (an error or not) and never panic.
func TestParseGarbage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	frames := loadFixtures(t)
	alphabet := []byte("|=#-&,.eE+0123456789 jawOpenhead_L\x00\xff")
	var f Frame
	for range 20000 {
		var b []byte
		if rng.IntN(2) == 0 {
			b = make([]byte, rng.IntN(200))
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
		} else {
			b = []byte(frames[rng.IntN(len(frames))].Text)
			for range 1 + rng.IntN(4) {
				b[rng.IntN(len(b))] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		_ = Parse(b, &f)
	}
}

// TestParseNumber compares the number parser with strconv on random decimals.
func TestParseNumber(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		var s string
		switch rng.IntN(4) {
		case 0:
			s = strconv.FormatFloat(float64(rng.Float32()*200-100), 'f', -1, 32)
		case 1:
			s = strconv.FormatFloat(rng.NormFloat64()*30, 'f', rng.IntN(12), 64)
		case 2:
			s = strconv.FormatFloat(rng.NormFloat64()*math.Pow(10, float64(rng.IntN(60)-30)), 'e', rng.IntN(20), 64)
		default:
			s = strconv.Itoa(rng.IntN(201) - 100)
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := parseNumber([]byte(s))
		if !ok || got != float32(want) {
			t.Fatalf("parseNumber(%q) = %v, %v; want %v", s, got, ok, float32(want))
		}
	}
}

func TestParseDoesNotAllocate(t *testing.T) {
	for _, fx := range loadFixtures(t) {
		b := []byte(fx.Text)
		v2 := []byte(toV2(fx.Text))
		var f Frame
		if n := testing.AllocsPerRun(200, func() {
			if err := Parse(b, &f); err != nil {
				t.Fatal(err)
			}
			if err := Parse(v2, &f); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: Parse allocates %v times per frame", fx.Name, n)
		}
	}
	bad := []byte("jawOpen-1|=head#1,2|")
	var f Frame
	if n := testing.AllocsPerRun(200, func() { _ = Parse(bad, &f) }); n != 0 {
		t.Errorf("a malformed frame allocates %v times", n)
	}
}
