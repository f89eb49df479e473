package vrm

import (
	"github.com/go-gl/mathgl/mgl32"

	"github.com/kugutsu/kugutsu/internal/mathx/quat"
	"github.com/qmuntal/gltf"
)

// loadNodes reads the node hierarchy and the displayed scene. It rejects
// out-of-range references, nodes with two parents and cycles.
func (l *loader) loadNodes() error {
	doc, av := l.doc, l.av
	if len(doc.Nodes) > l.limits.MaxNodes {
		return limitf("nodes", "%d nodes, over the limit of %d", len(doc.Nodes), l.limits.MaxNodes)
	}
	av.Nodes = make([]Node, len(doc.Nodes))
	for i := range av.Nodes {
		av.Nodes[i].Parent = -1
	}
	for i, gn := range doc.Nodes {
		if i%1024 == 0 {
			if err := l.check(); err != nil {
				return err
			}
		}
		if gn == nil {
			return errorf(nodeEl(i), "null")
		}
		n := &av.Nodes[i]
		n.Name = gn.Name
		n.Mesh, n.Skin = -1, -1
		if gn.Matrix != gltf.DefaultMatrix && gn.Matrix != [16]float64{} {
			var m mgl32.Mat4
			for k, v := range gn.Matrix {
				m[k] = float32(v)
			}
			t, q, s, ok := decomposeTRS(m)
			if !ok {
				l.warnf("%s: matrix has shear or zero scale; using its nearest rotation and scale", nodeEl(i))
			}
			n.Translation, n.Rotation, n.Scale = t, q, s
		} else {
			r := gn.RotationOrDefault()
			s := gn.ScaleOrDefault()
			t := gn.Translation
			n.Translation = mgl32.Vec3{float32(t[0]), float32(t[1]), float32(t[2])}
			n.Rotation = quatXYZW(float32(r[0]), float32(r[1]), float32(r[2]), float32(r[3]))
			n.Scale = mgl32.Vec3{float32(s[0]), float32(s[1]), float32(s[2])}
		}
		if !finiteVec3(n.Translation) || !finiteVec3(n.Scale) || !finite32(n.Rotation.W) || !finiteVec3(n.Rotation.V) {
			return errorf(nodeEl(i), "transform is not finite")
		}
		n.Rotation = quat.Normalize(n.Rotation)
		if gn.Mesh != nil {
			if *gn.Mesh < 0 || *gn.Mesh >= len(doc.Meshes) {
				return errorf(nodeEl(i), "mesh %d does not exist (%d meshes)", *gn.Mesh, len(doc.Meshes))
			}
			n.Mesh = *gn.Mesh
		}
		if gn.Skin != nil {
			if *gn.Skin < 0 || *gn.Skin >= len(doc.Skins) {
				return errorf(nodeEl(i), "skin %d does not exist (%d skins)", *gn.Skin, len(doc.Skins))
			}
			n.Skin = *gn.Skin
		}
		if len(gn.Weights) > 0 {
			if len(gn.Weights) > 1<<16 {
				return limitf(nodeEl(i), "%d morph weights", len(gn.Weights))
			}
			n.Weights = make([]float32, len(gn.Weights))
			for k, w := range gn.Weights {
				n.Weights[k] = float32(w)
			}
		}
		if len(gn.Children) > 0 {
			n.Children = make([]int, 0, len(gn.Children))
		}
		for _, c := range gn.Children {
			if c < 0 || c >= len(doc.Nodes) {
				return errorf(nodeEl(i), "child %d does not exist (%d nodes)", c, len(doc.Nodes))
			}
			if c == i {
				return errorf(nodeEl(i), "is its own child")
			}
			if p := av.Nodes[c].Parent; p >= 0 {
				return errorf("node "+itoa(c), "has two parents (nodes %d and %d)", p, i)
			}
			av.Nodes[c].Parent = i
			n.Children = append(n.Children, c)
		}
	}
	// With at most one parent each, a cycle is a parent chain that loops.
	state := make([]uint8, len(av.Nodes)) // 0 unseen, 1 on the current path, 2 done
	for i := range av.Nodes {
		j := i
		for j >= 0 && state[j] == 0 {
			state[j] = 1
			j = av.Nodes[j].Parent
		}
		if j >= 0 && state[j] == 1 {
			return errorf("node "+itoa(j), "is part of a cycle in the node hierarchy")
		}
		for j = i; j >= 0 && state[j] == 1; j = av.Nodes[j].Parent {
			state[j] = 2
		}
	}
	// The displayed scene.
	switch {
	case len(doc.Scenes) == 0:
		for i, n := range av.Nodes {
			if n.Parent < 0 {
				av.Scene = append(av.Scene, i)
			}
		}
	default:
		s := 0
		if doc.Scene != nil {
			s = *doc.Scene
		}
		if s < 0 || s >= len(doc.Scenes) || doc.Scenes[s] == nil {
			return errorf("scene", "%d does not exist (%d scenes)", s, len(doc.Scenes))
		}
		for _, r := range doc.Scenes[s].Nodes {
			if r < 0 || r >= len(av.Nodes) {
				return errorf("scene "+itoa(s), "node %d does not exist", r)
			}
			if av.Nodes[r].Parent >= 0 {
				return errorf("scene "+itoa(s), "node %d is not a root (its parent is node %d)", r, av.Nodes[r].Parent)
			}
			av.Scene = append(av.Scene, r)
		}
	}
	return nil
}

// loadSkins reads skins and their inverse bind matrices.
func (l *loader) loadSkins() error {
	doc, av := l.doc, l.av
	av.Skins = make([]Skin, len(doc.Skins))
	for i, gs := range doc.Skins {
		el := "skin " + itoa(i)
		if gs == nil {
			return errorf(el, "null")
		}
		s := &av.Skins[i]
		s.Name = gs.Name
		s.Skeleton = -1
		if gs.Skeleton != nil {
			if *gs.Skeleton < 0 || *gs.Skeleton >= len(av.Nodes) {
				return errorf(el, "skeleton node %d does not exist", *gs.Skeleton)
			}
			s.Skeleton = *gs.Skeleton
		}
		if len(gs.Joints) > len(av.Nodes) {
			return errorf(el, "%d joints but only %d nodes", len(gs.Joints), len(av.Nodes))
		}
		s.Joints = make([]int, len(gs.Joints))
		for k, j := range gs.Joints {
			if j < 0 || j >= len(av.Nodes) {
				return errorf(el, "joint %d: node %d does not exist", k, j)
			}
			s.Joints[k] = j
		}
		if gs.InverseBindMatrices != nil {
			m, err := l.readMat4(*gs.InverseBindMatrices)
			if err != nil {
				return err
			}
			if len(m) < len(s.Joints) {
				return errorf(el, "inverse bind matrices accessor %d has %d matrices for %d joints", *gs.InverseBindMatrices, len(m), len(s.Joints))
			}
			for k := range m[:len(s.Joints)] {
				for _, v := range m[k] {
					if !finite32(v) {
						return errorf(el, "inverse bind matrix %d is not finite", k)
					}
				}
			}
			s.InverseBindMatrices = m[:len(s.Joints):len(s.Joints)]
		} else {
			s.InverseBindMatrices = make([]mgl32.Mat4, len(s.Joints))
			for k := range s.InverseBindMatrices {
				s.InverseBindMatrices[k] = mgl32.Ident4()
			}
		}
	}
	return nil
}
