// Command vroidgen writes the VRoid-layout test avatar (package
// internal/vroid) to a file, for a person to open in Kugutsu or another
// viewer:
//
//	go run ./internal/vroid/vroidgen [-o vroid.vrm]
package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"

	"github.com/kugutsu/kugutsu/internal/vroid"
)

func main() {
	out := pflag.StringP("output", "o", "vroid.vrm", "file to write")
	pflag.Parse()
	data, err := vroid.VRM()
	if err == nil {
		err = os.WriteFile(*out, data, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vroidgen:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s (%d bytes)\n", *out, len(data))
}
