// Package apperr is the error type that carries an HTTP status, a stable
// code for the API and a message a person can act on. Domain packages return
// it for bad input; the HTTP layer renders it as a page or as JSON. Any
// other error is an internal fault: logged, never shown.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a user-facing error.
type Error struct {
	Status  int
	Code    string
	Message string            // Swedish, safe to show
	Fields  map[string]string // per form field, Swedish
	Err     error             // cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New makes an error with a status, code and message.
func New(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// Invalid is a 422 validation error with messages per field.
func Invalid(fields map[string]string) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_input",
		Message: "Några fält behöver rättas.", Fields: fields}
}

// NotFound is a 404 with a message naming what is missing.
func NotFound(message string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "not_found", Message: message}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
