package embedded

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// RunFileName is the file in the data directory through which a serving
// portal tells commands on the same machine where its embedded servers
// listen, so that `portal backup` can read a running store.
const RunFileName = "run.json"

// RunFile describes the embedded servers of the process that holds the
// data directory's lock. Fields of a server that is not embedded (an
// external one is configured) are empty.
type RunFile struct {
	PID         int       `json:"pid"`
	Started     time.Time `json:"started"`
	MongoURI    string    `json:"mongodb_uri,omitempty"`
	S3Endpoint  string    `json:"s3_endpoint,omitempty"`
	S3AccessKey string    `json:"s3_access_key,omitempty"`
	S3SecretKey string    `json:"s3_secret_key,omitempty"`
}

// WriteRunFile publishes the servers' addresses and credentials in
// dataDir/run.json, readable by the owner only (it holds the S3 secret).
// Stop removes it. The file is only ever written by the lock holder, and
// every new lock holder removes a file a crashed process left (see
// StartOnly): while the lock is held, a run file is the holder's own.
func (s *Servers) WriteRunFile() error {
	rf := RunFile{PID: os.Getpid(), Started: time.Now().UTC(), MongoURI: s.MongoURI}
	if s.S3Endpoint != "" {
		rf.S3Endpoint, rf.S3AccessKey, rf.S3SecretKey = s.S3Endpoint, s.S3AccessKey, s.S3SecretKey
	}
	b, err := json.MarshalIndent(rf, "", "  ")
	if err != nil {
		return err
	}
	// Written whole beside its name and renamed, so a reader never sees
	// half a file.
	tmp, err := os.CreateTemp(s.dataDir, "."+RunFileName+"-*")
	if err != nil {
		return fmt.Errorf("write run file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write run file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write run file: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.dataDir, RunFileName)); err != nil {
		return fmt.Errorf("write run file: %w", err)
	}
	s.wroteRun = true
	return nil
}

// ReadRunFile reads dataDir/run.json. An error wrapping os.ErrNotExist
// means no serving portal has published its servers there.
func ReadRunFile(dataDir string) (RunFile, error) {
	var rf RunFile
	b, err := os.ReadFile(filepath.Join(dataDir, RunFileName))
	if err != nil {
		return rf, err
	}
	if err := json.Unmarshal(b, &rf); err != nil {
		return rf, fmt.Errorf("%s: %w", filepath.Join(dataDir, RunFileName), err)
	}
	if rf.MongoURI == "" && rf.S3Endpoint == "" {
		return rf, fmt.Errorf("%s names no server", filepath.Join(dataDir, RunFileName))
	}
	return rf, nil
}

// removeRunFile removes dataDir/run.json; it need not exist.
func removeRunFile(dataDir string) error {
	err := os.Remove(filepath.Join(dataDir, RunFileName))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
