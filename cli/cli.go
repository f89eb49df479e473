// Package cli holds kugutsu's command line: the subcommand dispatcher and the
// headless tools (monitor, inspect, pose, render, ifm, record, replay,
// export). The window itself lives in package app; main wires the two
// together so this package never needs cgo.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/pflag"
)

// GUIOptions are the window's command-line options.
type GUIOptions struct {
	VRMPath string // VRM file to open instead of the default avatar; "" for none
	Listen  string // VMC listen address, "ADDR:PORT"; "" for the saved or default one
	Output  bool   // open the output window for capture at start
}

// Env is what a command may touch: its streams, the version, and the window.
type Env struct {
	Version string
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	// GUI opens the window and returns when it is closed.
	GUI func(GUIOptions) error
}

// A command is one subcommand. Run gets the arguments after the subcommand
// name and a context cancelled on SIGINT/SIGTERM.
type command struct {
	summary string
	run     func(ctx context.Context, env Env, args []string) error
}

// commands is the registry, filled by each tool's file in init.
var commands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, env Env, args []string) error) {
	commands[name] = command{summary: summary, run: run}
}

// errUsage marks an error that has already been explained with a usage text.
var errUsage = errors.New("usage")

// Main runs kugutsu with the given arguments (without the program name) and
// returns the process exit code: 0 success, 1 failure, 2 bad usage.
func Main(args []string, env Env) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	slog.SetDefault(slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))

	var err error
	switch {
	case len(args) > 1 && args[0] == "help":
		return help(ctx, env, args[1])
	case len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help"):
		usage(env.Stdout)
		return 0
	case len(args) > 0 && (args[0] == "version" || args[0] == "--version"):
		fmt.Fprintln(env.Stdout, "kugutsu", env.Version)
		return 0
	case len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		cmd, ok := commands[args[0]]
		if !ok {
			fmt.Fprintf(env.Stderr, "kugutsu: unknown command %q\n", args[0])
			usage(env.Stderr)
			return 2
		}
		err = cmd.run(ctx, env, args[1:])
	default:
		err = runGUI(env, args)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage), errors.Is(err, pflag.ErrHelp):
		return 2
	default:
		fmt.Fprintln(env.Stderr, "kugutsu:", err)
		return 1
	}
}

// help prints one command's usage and options on standard output, as
// `kugutsu COMMAND --help` does on standard error: exit code 0, or 2 for an
// unknown command.
func help(ctx context.Context, env Env, name string) int {
	out := env
	out.Stderr = env.Stdout
	var err error
	switch cmd, ok := commands[name]; {
	case name == "kugutsu" || name == "window":
		err = runGUI(out, []string{"--help"})
	case ok:
		err = cmd.run(ctx, out, []string{"--help"})
	default:
		fmt.Fprintf(env.Stderr, "kugutsu: unknown command %q\n", name)
		usage(env.Stderr)
		return 2
	}
	if err != nil && !errors.Is(err, pflag.ErrHelp) {
		fmt.Fprintln(env.Stderr, "kugutsu:", err)
		return 1
	}
	return 0
}

func runGUI(env Env, args []string) error {
	fs := newFlagSet(env, "kugutsu", "[--vrm FILE] [--listen ADDR:PORT] [--output]")
	var o GUIOptions
	fs.StringVar(&o.VRMPath, "vrm", "", "VRM file to open")
	fs.StringVar(&o.Listen, "listen", "", "VMC listen address (default 0.0.0.0:39539)")
	fs.BoolVar(&o.Output, "output", false, "also open the output window: the avatar alone, with alpha, for OBS")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if env.GUI == nil {
		return errors.New("this build has no window")
	}
	return env.GUI(o)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: kugutsu [--vrm FILE] [--listen ADDR:PORT]   open the Marionette window")
	fmt.Fprintln(w, "       kugutsu COMMAND [options]                   run a headless tool")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\n`kugutsu help COMMAND` (or `kugutsu COMMAND --help`) describes a command's options.")
}

// newFlagSet returns a flag set that reports errors on env.Stderr with a usage line.
func newFlagSet(env Env, name, synopsis string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "usage: %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args and checks that exactly nargs positional arguments remain
// (nargs < 0: any number).
func parse(fs *pflag.FlagSet, args []string, nargs int) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if nargs >= 0 && fs.NArg() != nargs {
		if fs.NArg() > nargs {
			fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(nargs))
		} else {
			fmt.Fprintf(fs.Output(), "%s: missing argument\n", fs.Name())
		}
		fs.Usage()
		return errUsage
	}
	return nil
}
