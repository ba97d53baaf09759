package config_test

import (
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/config"
)

func TestSweepSettings(t *testing.T) {
	c, err := config.Load(env{}.get)
	if err != nil {
		t.Fatal(err)
	}
	if c.SweepInterval != time.Hour || c.SweepGrace != 24*time.Hour {
		t.Errorf("defaults: interval %v grace %v; want 1h and 24h", c.SweepInterval, c.SweepGrace)
	}
	c, err = config.Load(env{"SWEEP_INTERVAL": "10m", "SWEEP_GRACE": "48h"}.get)
	if err != nil {
		t.Fatal(err)
	}
	if c.SweepInterval != 10*time.Minute || c.SweepGrace != 48*time.Hour {
		t.Errorf("values not read: interval %v grace %v", c.SweepInterval, c.SweepGrace)
	}
	for _, tc := range []struct{ name, value string }{
		{"SWEEP_INTERVAL", "hourly"},
		{"SWEEP_INTERVAL", "100ms"},
		{"SWEEP_GRACE", "0s"},
		{"SWEEP_GRACE", "-1h"},
		{"SWEEP_GRACE", "500ms"},
	} {
		_, err := config.Load(env{tc.name: tc.value}.get)
		wantVarError(t, err, tc.name)
	}
}
