package config_test

import (
	"os"
	"regexp"
	"testing"
	"time"
)

// TestComposeStopGraceExceedsShutdownTimeout: docker-compose's
// stop_grace_period must outlast SHUTDOWN_TIMEOUT, or docker kills the
// streams the portal is draining. Both come from the environment; their
// defaults in docker-compose.yml and the values in the example .env
// must keep that order.
func TestComposeStopGraceExceedsShutdownTimeout(t *testing.T) {
	compose, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("../../config/portal.example.env")
	if err != nil {
		t.Fatal(err)
	}
	find := func(text []byte, re, what string) time.Duration {
		t.Helper()
		m := regexp.MustCompile(re).FindSubmatch(text)
		if m == nil {
			t.Fatalf("%s not found (%s)", what, re)
		}
		d, err := time.ParseDuration(string(m[1]))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return d
	}
	pairs := []struct {
		where           string
		grace, shutdown time.Duration
	}{
		{"docker-compose.yml defaults",
			find(compose, `(?m)^\s*stop_grace_period: \$\{STOP_GRACE_PERIOD:-([0-9a-z]+)\}`, "stop_grace_period from STOP_GRACE_PERIOD"),
			find(compose, `(?m)^\s*SHUTDOWN_TIMEOUT: \$\{SHUTDOWN_TIMEOUT:-([0-9a-z]+)\}`, "SHUTDOWN_TIMEOUT default")},
		{"config/portal.example.env",
			find(example, `(?m)^STOP_GRACE_PERIOD=([0-9a-z]+)$`, "STOP_GRACE_PERIOD"),
			find(example, `(?m)^SHUTDOWN_TIMEOUT=([0-9a-z]+)$`, "SHUTDOWN_TIMEOUT")},
	}
	for _, p := range pairs {
		if p.grace < p.shutdown+5*time.Second {
			t.Errorf("%s: stop grace %v does not exceed SHUTDOWN_TIMEOUT %v by 5s or more", p.where, p.grace, p.shutdown)
		}
	}
}
