package vmc_test

import (
	"context"

	"github.com/kugutsu/kugutsu/protocol/vmc"
	"github.com/kugutsu/kugutsu/protocol/vmc/vmctest"
)

// init gives the internal tests (package vmc) the test Performer, which
// they cannot import themselves: vmctest imports vmc.
func init() {
	vmc.LinkVMCTest(func(ctx context.Context, addr string) (vmc.TestPerformer, error) {
		return vmctest.Dial(ctx, addr)
	}, vmctest.FrameBundle, vmctest.BlendBundle)
}
