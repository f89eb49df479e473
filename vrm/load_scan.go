package vrm

import (
	"bytes"
	"unicode/utf8"
)

// A glTF document is decoded with encoding/json into Go values that cost
// far more than their text: "{}" in "nodes" becomes a 400-byte gltf.Node
// plus decoding temporaries, so 6 MB of JSON can ask for 2 GB. scanJSON
// walks the text once, allocating next to nothing, and counts what the decoder
// would build, so that checkCounts can refuse a hostile document before
// json.Unmarshal allocates anything for it.

// jsonCounts is what scanJSON counted in a glTF JSON document.
type jsonCounts struct {
	// Values counts every JSON value: objects, arrays, strings, numbers,
	// true, false, null.
	Values int
	// Top holds the element counts of the top-level glTF arrays, indexed
	// like topArrays.
	Top [len(topArrays)]int
	// Primitives is the sum of meshes[*].primitives lengths; Targets the
	// sum of meshes[*].primitives[*].targets lengths.
	Primitives, Targets int
	// Expressions counts VRMC_vrm.expressions.preset and .custom members
	// and VRM.blendShapeMaster.blendShapeGroups elements.
	Expressions int
}

// topArrays are the top-level glTF 2.0 arrays (glTF 2.0 §5.17 "glTF").
var topArrays = [...]string{
	"accessors", "animations", "buffers", "bufferViews", "cameras", "images",
	"materials", "meshes", "nodes", "samplers", "scenes", "skins", "textures",
}

// topNodes is the index of "nodes" in topArrays.
const topNodes = 8

// scanKind says what a container found by scanJSON is.
type scanKind uint8

const (
	kOther       scanKind = iota
	kRoot                 // the document object
	kTop                  // a top-level glTF array; frame.top says which
	kMesh                 // an element of meshes
	kPrimitives           // meshes[*].primitives
	kPrimitive            // an element of primitives
	kTargets              // primitives[*].targets
	kExtensions           // the document's extensions
	kVRMC                 // extensions.VRMC_vrm
	kVRMCExpr             // VRMC_vrm.expressions
	kVRMCExprMap          // VRMC_vrm.expressions.preset or .custom
	kVRM0                 // extensions.VRM
	kBlendShapes          // VRM.blendShapeMaster
	kGroups               // VRM.blendShapeMaster.blendShapeGroups
)

// scanFrame is one open container.
type scanFrame struct {
	kind   scanKind
	object bool
	top    int8 // index into topArrays for kTop
	count  int  // elements (arrays) or members (objects) so far
	key    []byte
}

// maxScanDepth bounds nesting; encoding/json refuses beyond 10000 too.
const maxScanDepth = 10000

// scanJSON counts the values of a JSON document (see jsonCounts). It never
// fails and never allocates beyond its frame stack; on text that is not
// valid JSON the counts are meaningless, which is harmless because
// json.Unmarshal checks validity before it decodes anything. ok is false
// when the nesting is deeper than maxScanDepth.
func scanJSON(data []byte) (c jsonCounts, ok bool) {
	var stackBuf [32]scanFrame
	stack := stackBuf[:0]
	var keyBuf [64]byte
	expectKey := false
	i := 0
	// value is called at the start of every value inside the current
	// container and returns the kind a container there would have.
	value := func() (scanKind, int8) {
		c.Values++
		if len(stack) == 0 {
			return kRoot, 0
		}
		f := &stack[len(stack)-1]
		f.count++
		switch f.kind {
		case kRoot:
			if f.object {
				for t, name := range topArrays {
					if fieldIs(f.key, name) {
						return kTop, int8(t)
					}
				}
				if fieldIs(f.key, "extensions") {
					return kExtensions, 0
				}
			}
		case kTop:
			if topArrays[f.top] == "meshes" {
				return kMesh, 0
			}
		case kMesh:
			if fieldIs(f.key, "primitives") {
				return kPrimitives, 0
			}
		case kPrimitives:
			return kPrimitive, 0
		case kPrimitive:
			if fieldIs(f.key, "targets") {
				return kTargets, 0
			}
		case kExtensions:
			switch string(f.key) { // map keys match exactly
			case "VRMC_vrm":
				return kVRMC, 0
			case "VRM":
				return kVRM0, 0
			}
		case kVRMC:
			if fieldIs(f.key, "expressions") {
				return kVRMCExpr, 0
			}
		case kVRMCExpr:
			if fieldIs(f.key, "preset") || fieldIs(f.key, "custom") {
				return kVRMCExprMap, 0
			}
		case kVRM0:
			if fieldIs(f.key, "blendShapeMaster") {
				return kBlendShapes, 0
			}
		case kBlendShapes:
			if fieldIs(f.key, "blendShapeGroups") {
				return kGroups, 0
			}
		}
		return kOther, 0
	}
	for i < len(data) {
		b := data[i]
		switch b {
		case ' ', '\t', '\r', '\n', ':':
			i++
		case ',':
			// In an object, a member name comes next.
			expectKey = len(stack) > 0 && stack[len(stack)-1].object
			i++
		case '{', '[':
			kind, top := value()
			if len(stack) >= maxScanDepth {
				return c, false
			}
			stack = append(stack, scanFrame{kind: kind, object: b == '{', top: top})
			expectKey = b == '{'
			i++
		case '}', ']':
			if len(stack) == 0 {
				return c, true
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			switch f.kind {
			case kTop:
				c.Top[f.top] += f.count
			case kPrimitives:
				c.Primitives += f.count
			case kTargets:
				c.Targets += f.count
			case kVRMCExprMap, kGroups:
				c.Expressions += f.count
			}
			expectKey = false
			i++
		case '"':
			end := skipString(data, i)
			if expectKey && len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].key = unescapeKey(data[i+1:max(i+1, end-1)], &keyBuf)
				expectKey = false
				i = end
				continue
			}
			value()
			i = end
		default:
			// A number or a literal: skip to the next delimiter.
			value()
			for i < len(data) && !isJSONDelim(data[i]) {
				i++
			}
		}
	}
	return c, true
}

// isJSONDelim reports whether b ends a number or a literal.
func isJSONDelim(b byte) bool {
	switch b {
	case ' ', '\t', '\r', '\n', ',', ':', '{', '}', '[', ']', '"':
		return true
	}
	return false
}

// skipString returns the index just past the string starting at data[i]
// (a quote), or len(data) when it is not closed.
func skipString(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

// unescapeKey returns the member name raw (the bytes between the quotes)
// decodes to, using buf when it holds escapes. Names longer than buf are
// returned raw: they match none of the names scanJSON looks for either way.
func unescapeKey(raw []byte, buf *[64]byte) []byte {
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw
	}
	out := buf[:0]
	for i := 0; i < len(raw); i++ {
		if len(out) > len(buf)-utf8.UTFMax {
			return raw
		}
		if raw[i] != '\\' || i+1 >= len(raw) {
			out = append(out, raw[i])
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			var r rune
			if i+4 >= len(raw) {
				return raw
			}
			for _, h := range raw[i+1 : i+5] {
				r <<= 4
				switch {
				case h >= '0' && h <= '9':
					r |= rune(h - '0')
				case h >= 'a' && h <= 'f':
					r |= rune(h - 'a' + 10)
				case h >= 'A' && h <= 'F':
					r |= rune(h - 'A' + 10)
				default:
					return raw
				}
			}
			i += 4
			out = utf8.AppendRune(out, r)
		default: // '"', '\\', '/'
			out = append(out, raw[i])
		}
	}
	return out
}

// fieldIs reports whether a member name selects the struct field name, as
// encoding/json matches them: exactly or case-insensitively (Unicode simple
// folding).
func fieldIs(key []byte, name string) bool {
	return bytes.EqualFold(key, []byte(name))
}

// checkCounts refuses a document whose counts exceed the limits, naming
// the first count over its limit.
func checkCounts(jsonLen int, c jsonCounts, lim Limits) error {
	if int64(jsonLen) > lim.MaxJSONBytes {
		return limitf("JSON chunk", "%d bytes, over the limit of %d", jsonLen, lim.MaxJSONBytes)
	}
	if c.Top[topNodes] > lim.MaxNodes {
		return limitf("nodes", "%d nodes, over the limit of %d", c.Top[topNodes], lim.MaxNodes)
	}
	for t, n := range c.Top {
		if t != topNodes && n > lim.MaxElements {
			return limitf(topArrays[t], "%d elements, over the limit of %d", n, lim.MaxElements)
		}
	}
	if c.Primitives > lim.MaxPrimitives {
		return limitf("meshes", "%d primitives in all, over the limit of %d (each primitive is a draw; real avatars have a few hundred at most)", c.Primitives, lim.MaxPrimitives)
	}
	if c.Targets > lim.MaxElements {
		return limitf("meshes", "%d morph targets in all primitives, over the limit of %d", c.Targets, lim.MaxElements)
	}
	if c.Expressions > lim.MaxExpressions {
		return limitf("expressions", "%d expressions, over the limit of %d", c.Expressions, lim.MaxExpressions)
	}
	if c.Values > lim.MaxJSONValues {
		return limitf("JSON chunk", "%d JSON values, over the limit of %d", c.Values, lim.MaxJSONValues)
	}
	return nil
}
