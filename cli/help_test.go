package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestHelpCommand checks that `kugutsu help COMMAND` prints that command's
// options on standard output and succeeds, for every registered command,
// and that an unknown command is a usage error.
func TestHelpCommand(t *testing.T) {
	for name := range commands {
		var out, errOut bytes.Buffer
		if code := Main([]string{"help", name}, Env{Stdout: &out, Stderr: &errOut}); code != 0 {
			t.Errorf("help %s: exit code %d, stderr %q", name, code, errOut.String())
		}
		if !strings.Contains(out.String(), "usage: kugutsu "+name) || !strings.Contains(out.String(), "--") {
			t.Errorf("help %s printed %q, want its usage line and options", name, out.String())
		}
	}
	var out, errOut bytes.Buffer
	if code := Main([]string{"help", "kugutsu"}, Env{Stdout: &out, Stderr: &errOut}); code != 0 || !strings.Contains(out.String(), "--listen") {
		t.Errorf("help kugutsu: exit code %d, output %q", code, out.String())
	}
	errOut.Reset()
	if code := Main([]string{"help", "nosuch"}, Env{Stdout: &out, Stderr: &errOut}); code != 2 || !strings.Contains(errOut.String(), `unknown command "nosuch"`) {
		t.Errorf("help nosuch: exit code %d, stderr %q", code, errOut.String())
	}
}
