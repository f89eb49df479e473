// Command gen writes the generated files of package assets (run by
// `go generate ./assets`, from the assets directory): the app icon, and the
// default avatar. Files whose contents are unchanged are not rewritten.
//
//	go run ./gen [--dir DIR]
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/kugutsu/kugutsu/assets/internal/generate"
)

func main() {
	dir := pflag.String("dir", ".", "directory to write the files into")
	pflag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	start := time.Now()
	files, err := generate.Files()
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		state := "unchanged"
		if old, err := os.ReadFile(path); err != nil || !bytes.Equal(old, f.Data) {
			if err := os.WriteFile(path, f.Data, 0o644); err != nil {
				return err
			}
			state = "written"
		}
		fmt.Printf("%-12s %8d bytes  %s\n", f.Name, len(f.Data), state)
	}
	fmt.Printf("generated in %v\n", elapsed.Round(time.Millisecond))
	return nil
}
