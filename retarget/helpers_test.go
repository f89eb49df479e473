package retarget

import (
	"bytes"
	"testing"

	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/assets"
	"github.com/kugutsu/kugutsu/vrm"
)

// defaultAvatar loads the embedded default avatar: VRM 1.0, all 55 bones in
// T-pose, the VRM presets and the 52 ARKit expressions (Perfect Sync),
// lookAt type bone.
func defaultAvatar(t testing.TB) *vrm.Avatar {
	t.Helper()
	av, err := vrm.Load(bytes.NewReader(assets.DefaultVRM()))
	if err != nil {
		t.Fatal(err)
	}
	return av
}

func near(a, b mgl32.Vec3, tol float32) bool { return a.Sub(b).Len() <= tol }
