package render

import (
	"math"

	"github.com/kugutsu/kugutsu/internal/mathx"
)

// Metallic-roughness shading: glTF 2.0 appendix B, "BRDF Implementation"
// (the model three.js and Filament implement), lit by the scene's
// directional light and by a uniform environment whose radiance is the
// scene's ambient colour.
//
// Units: Light.Color and Scene.Ambient fold π in, as the rest of the renderer
// does (a white Lambertian surface facing a light of colour c shows c, and an
// ambient colour a lights it as a). So a BRDF value f contributes
// π·f·c·(N·L).

// minRoughness is the smallest perceptual roughness shaded: three.js clamps
// the roughness factor to it (lights_physical_fragment), keeping the GGX
// highlight of a mirror-like surface larger than a point.
const minRoughness = 0.0525

// envBRDF returns the split-sum scale and bias (A, B) of the specular
// environment term for N·V = nv and perceptual roughness rough, so that
// the pre-integrated specular reflectance is f0·A + B: Karis's analytic fit
// ("Physically Based Shading on Mobile", 2014), as in three.js's DFGApprox.
func envBRDF(nv, rough float32) (a, b float32) {
	r0 := -rough + 1
	r1 := -0.0275*rough + 0.0425
	r2 := -0.572*rough + 1.04
	r3 := 0.022*rough - 0.04
	e := fastExp2(-9.28 * nv)
	a004 := min(r0*r0, e)*r0 + r1
	return -1.04*a004 + r2, 1.04*a004 + r3
}

// fastExp2 returns 2^x for −126 < x ≤ 0 to about 0.3 % (a quadratic on
// the fraction), 0 below.
func fastExp2(x float32) float32 {
	if !(x > -126) {
		return 0
	}
	i := int32(x)
	if float32(i) > x {
		i--
	}
	f := x - float32(i) // 0…1
	p := 1 + f*(0.6565+0.3435*f)
	return math.Float32frombits(uint32(i+127)<<23) * p
}

// pbr shades a metallic-roughness fragment of base colour R, G, B (linear,
// factor × texture × vertex colour) with interpolated unit view-space normal
// (nx, ny, nz), already flipped on a back face:
//
//	c_diff = base·(1 − metallic), f0 = 0.04 + (base − 0.04)·metallic, α = roughness²
//	F = f0 + (1 − f0)·(1 − V·H)⁵
//	D = α² / (π·((N·H)²·(α² − 1) + 1)²)                       (Trowbridge-Reitz / GGX)
//	Vis = 0.5 / (N·L·√((N·V)²(1 − α²) + α²) + N·V·√((N·L)²(1 − α²) + α²))   (height-correlated Smith)
//	direct = π·((1 − F)·c_diff/π + F·D·Vis)·light·(N·L)
//	ambient = ambient·(c_diff·(1 − S)·ao + S·so),  S = f0·A + B (envBRDF)
//
// The metallic-roughness texture's B channel scales metalness and G
// roughness; occlusion (R, by its strength) darkens only the ambient light,
// its specular part through Lagarde's specular occlusion (as three.js's
// computeSpecularOcclusion). The indirect diffuse loses the fraction S the
// environment's specular reflects, as three.js's multiple-scattering path
// does.
func (sh *triShader) pbr(R, G, B, nx, ny, nz, w0, w1, w2, u0, v0, u1, v1 float32) (float32, float32, float32) {
	m, fs := sh.m, sh.fs
	metal, rough := m.metallic, m.roughness
	if m.metalRoughTex.t != nil {
		u, v := m.metalRoughTex.uv(u0, v0, u1, v1)
		_, g, b, _ := sh.sampleRaw(&m.metalRoughTex, u, v)
		rough *= g
		metal *= b
	}
	ao := float32(1)
	if m.occlTex.t != nil {
		u, v := m.occlTex.uv(u0, v0, u1, v1)
		r, _, _, _ := sh.sampleRaw(&m.occlTex, u, v)
		ao = 1 + m.occlStrength*(r-1)
	}
	if m.nrmTex.t != nil {
		nx, ny, nz = sh.normalMap(nx, ny, nz, w0, w1, w2, u0, v0, u1, v1)
	}
	rough = max(rough, minRoughness)

	vx, vy, vz := sh.viewDir(w0, w1, w2)
	nv := max(nx*vx+ny*vy+nz*vz, 1e-4)

	cd := [3]float32{R * (1 - metal), G * (1 - metal), B * (1 - metal)}
	f0 := [3]float32{0.04 + (R-0.04)*metal, 0.04 + (G-0.04)*metal, 0.04 + (B-0.04)*metal}

	// Ambient: the split-sum environment term of a uniform environment.
	ea, eb := envBRDF(nv, rough)
	so := float32(1)
	if ao < 1 {
		so = mathx.Clamp(float32(math.Pow(float64(nv+ao), math.Exp2(float64(-16*rough-1))))-1+ao, 0, 1)
	}
	am := &fs.ambient
	var out [3]float32
	for c := 0; c < 3; c++ {
		sc := max(f0[c]*ea+eb, 0)
		out[c] = am[c] * (cd[c]*(1-sc)*ao + sc*so)
	}

	// Direct: the key light.
	ld, lc := &fs.lightDir, &fs.lightCol
	if nl := nx*ld[0] + ny*ld[1] + nz*ld[2]; nl > 0 && *lc != [3]float32{} {
		hx, hy, hz := ld[0]+vx, ld[1]+vy, ld[2]+vz
		var nh, vh float32
		if l2 := hx*hx + hy*hy + hz*hz; l2 > 1e-12 {
			inv := 1 / float32(math.Sqrt(float64(l2)))
			nh = mathx.Clamp((nx*hx+ny*hy+nz*hz)*inv, 0, 1)
			vh = mathx.Clamp((vx*hx+vy*hy+vz*hz)*inv, 0, 1)
		}
		a := rough * rough
		a2 := a * a
		d := nh*nh*(a2-1) + 1
		// π·D·Vis: π cancels D's 1/π.
		vis := 0.5 / (nl*float32(math.Sqrt(float64(nv*nv*(1-a2)+a2))) + nv*float32(math.Sqrt(float64(nl*nl*(1-a2)+a2))))
		spec := a2 / (d * d) * vis
		q := 1 - vh
		fc := q * q * q * q * q
		for c := 0; c < 3; c++ {
			f := f0[c] + (1-f0[c])*fc
			out[c] += lc[c] * nl * ((1-f)*cd[c] + f*spec)
		}
	}
	return out[0], out[1], out[2]
}

// tangentFrame sets sh.dpdu and sh.dpdv, the bound triangle's view-space
// position derivatives along the normal texture's u and v: the per-triangle
// equivalent of the screen-space derivative frame three.js builds when a
// mesh has no TANGENT attribute (perturbNormal2Arb). A triangle whose UVs
// are degenerate gets zero vectors (the normal texture then only scales the
// normal's length, which is normalised away).
func (sh *triShader) tangentFrame(fs *frameState) {
	m := sh.m
	var p [3][3]float32
	var uv [3][2]float32
	for i, v := range [3]*vertex{sh.va, sh.vb, sh.vc} {
		p[i] = [3]float32{v.clip[0] / fs.px, v.clip[1] / fs.py, -v.clip[3]}
		uv[i][0], uv[i][1] = m.nrmTex.uv(v.uv0[0], v.uv0[1], v.uv1[0], v.uv1[1])
	}
	du1, dv1 := uv[1][0]-uv[0][0], uv[1][1]-uv[0][1]
	du2, dv2 := uv[2][0]-uv[0][0], uv[2][1]-uv[0][1]
	det := du1*dv2 - du2*dv1
	sh.dpdu, sh.dpdv = [3]float32{}, [3]float32{}
	if !(det > 1e-20 || det < -1e-20) {
		return
	}
	r := 1 / det
	for k := 0; k < 3; k++ {
		e1, e2 := p[1][k]-p[0][k], p[2][k]-p[0][k]
		sh.dpdu[k] = (e1*dv2 - e2*dv1) * r
		sh.dpdv[k] = (e2*du1 - e1*du2) * r
	}
	for _, x := range [6]float32{sh.dpdu[0], sh.dpdu[1], sh.dpdu[2], sh.dpdv[0], sh.dpdv[1], sh.dpdv[2]} {
		if !finite(x) {
			sh.dpdu, sh.dpdv = [3]float32{}, [3]float32{}
			return
		}
	}
}

// tangentNormal is normalMap with the vertices' TANGENTs (glTF 2.0
// §3.7.2.1): the interpolated tangent made orthogonal to the (unflipped)
// normal N, the bitangent cross(N, T)·w, and n = T·x + B·y + N·z, flipped
// with the normal on a back face.
func (sh *triShader) tangentNormal(nx, ny, nz, w0, w1, w2, tx, ty, tz float32) (float32, float32, float32) {
	f := sh.flip
	a, b, c := &sh.tan[0], &sh.tan[1], &sh.tan[2]
	Tx := w0*a[0] + w1*b[0] + w2*c[0]
	Ty := w0*a[1] + w1*b[1] + w2*c[1]
	Tz := w0*a[2] + w1*b[2] + w2*c[2]
	p := Tx*nx + Ty*ny + Tz*nz
	Tx, Ty, Tz = Tx-nx*p, Ty-ny*p, Tz-nz*p
	l2 := Tx*Tx + Ty*Ty + Tz*Tz
	if !(l2 > 1e-12) {
		return nx * f, ny * f, nz * f
	}
	k := 1 / float32(math.Sqrt(float64(l2)))
	Tx, Ty, Tz = Tx*k, Ty*k, Tz*k
	hand := a[3]
	if hand == 0 {
		hand = 1
	}
	Bx, By, Bz := (ny*Tz-nz*Ty)*hand, (nz*Tx-nx*Tz)*hand, (nx*Ty-ny*Tx)*hand
	x := Tx*tx + Bx*ty + nx*tz
	y := Ty*tx + By*ty + ny*tz
	z := Tz*tx + Bz*ty + nz*tz
	l2 = x*x + y*y + z*z
	if !(l2 > 1e-12) {
		return nx * f, ny * f, nz * f
	}
	inv := f / float32(math.Sqrt(float64(l2)))
	return x * inv, y * inv, z * inv
}

// normalMap perturbs the unit normal (nx, ny, nz) by the normal texture
// (glTF 2.0 §3.9.3 normalTexture: tangent-space, +X toward increasing u,
// +Y toward decreasing v — up in the image —, X and Y scaled by
// normalTexture.scale). The tangent and bitangent are ∂P/∂u and −∂P/∂v made
// orthogonal to the normal and scaled together by the longer one's length
// (three.js's derivative frame); on a back face the whole frame flips with
// the normal.
func (sh *triShader) normalMap(nx, ny, nz, w0, w1, w2, u0, v0, u1, v1 float32) (float32, float32, float32) {
	m := sh.m
	u, v := m.nrmTex.uv(u0, v0, u1, v1)
	r, g, b, _ := sh.sampleRaw(&m.nrmTex, u, v)
	tx, ty, tz := (2*r-1)*m.nrmScale, (2*g-1)*m.nrmScale, 2*b-1
	f := sh.flip
	nx, ny, nz = nx*f, ny*f, nz*f
	if sh.hasTan {
		return sh.tangentNormal(nx, ny, nz, w0, w1, w2, tx, ty, tz)
	}
	du, dv := &sh.dpdu, &sh.dpdv
	pu := du[0]*nx + du[1]*ny + du[2]*nz
	pv := dv[0]*nx + dv[1]*ny + dv[2]*nz
	Tx, Ty, Tz := du[0]-nx*pu, du[1]-ny*pu, du[2]-nz*pu
	Bx, By, Bz := dv[0]-nx*pv, dv[1]-ny*pv, dv[2]-nz*pv
	d := max(Tx*Tx+Ty*Ty+Tz*Tz, Bx*Bx+By*By+Bz*Bz)
	if !(d > 1e-30) || !finite(d) {
		return nx * f, ny * f, nz * f
	}
	k := 1 / float32(math.Sqrt(float64(d)))
	x := (Tx*tx-Bx*ty)*k + nx*tz
	y := (Ty*tx-By*ty)*k + ny*tz
	z := (Tz*tx-Bz*ty)*k + nz*tz
	l2 := x*x + y*y + z*z
	if !(l2 > 1e-12) {
		return nx * f, ny * f, nz * f
	}
	inv := f / float32(math.Sqrt(float64(l2)))
	return x * inv, y * inv, z * inv
}
