package config_test

import (
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/config"
)

func TestOperationsSettings(t *testing.T) {
	c, err := config.Load(env{}.get)
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "" || c.ShutdownTimeout != 30*time.Second || c.MongoTimeout != 10*time.Second ||
		c.S3Timeout != time.Minute || c.MaxConcurrentUploads != 4 {
		t.Errorf("defaults: metrics %q shutdown %v mongo %v s3 %v uploads %d", c.MetricsAddr, c.ShutdownTimeout,
			c.MongoTimeout, c.S3Timeout, c.MaxConcurrentUploads)
	}
	c, err = config.Load(env{"METRICS_ADDR": "127.0.0.1:9090", "SHUTDOWN_TIMEOUT": "2m", "MONGO_TIMEOUT": "2s",
		"S3_TIMEOUT": "10s", "MAX_CONCURRENT_UPLOADS": "2"}.get)
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "127.0.0.1:9090" || c.ShutdownTimeout != 2*time.Minute || c.MongoTimeout != 2*time.Second ||
		c.S3Timeout != 10*time.Second || c.MaxConcurrentUploads != 2 {
		t.Errorf("values not read: %+v", c)
	}
	for _, tc := range []struct{ name, value string }{
		{"METRICS_ADDR", "9090"},
		{"METRICS_ADDR", "http://127.0.0.1:9090/"},
		{"SHUTDOWN_TIMEOUT", "soon"},
		{"MONGO_TIMEOUT", "10ms"},
		{"MONGO_TIMEOUT", "1h"},
		{"S3_TIMEOUT", "-1s"},
		{"MAX_CONCURRENT_UPLOADS", "0"},
		{"MAX_CONCURRENT_UPLOADS", "many"},
	} {
		_, err := config.Load(env{tc.name: tc.value}.get)
		wantVarError(t, err, tc.name)
	}
}
