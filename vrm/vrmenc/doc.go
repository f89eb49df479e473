// Package vrmenc writes a vrm.Model as a .vrm file (binary glTF 2.0 with
// the VRM 1.0 or VRM 0.x extensions): Encode. The doll and VRoid-layout
// generators (assets/internal/doll, internal/vroid) and tests use it; the
// application only reads models, so its binary does not link this package
// (protocol/vmc/vmctest TestLayering checks). The JSON shapes it shares
// with the loader are in vrm/internal/schema.
package vrmenc
