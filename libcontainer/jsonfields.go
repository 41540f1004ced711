package libcontainer

import (
	"bytes"
	"encoding/json"
	"errors"
)

// errJSONShape is returned by objectFields for input that is not a JSON
// object it can walk.
var errJSONShape = errors.New("not a JSON object")

// errStopFields, returned by objectFields' fn, ends the walk without an
// error.
var errStopFields = errors.New("stop walking the object")

// objectFields calls fn with each key (still quoted, escapes kept) and raw
// value of the JSON object in data, without decoding the values. `list`
// uses it to pick the few fields it prints out of each state.json: a
// state.json holds the whole config (~3 KiB), and running encoding/json's
// validating scanner over all of it for each of 1,000 containers was half
// of `list`'s CPU time. It checks the object's own structure (keys,
// colons, commas, balanced brackets, terminated strings) but not the
// grammar inside the values it skips; the values that are used are
// decoded by encoding/json. An error from fn stops the walk and is
// returned, but errStopFields, which only stops it.
func objectFields(data []byte, fn func(key, value []byte) error) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errJSONShape
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return errJSONShape
		}
		end, ok := skipString(data, i)
		if !ok {
			return errJSONShape
		}
		key := data[i:end]
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return errJSONShape
		}
		i = skipSpace(data, i+1)
		vend, ok := skipValue(data, i)
		if !ok {
			return errJSONShape
		}
		if err := fn(key, data[i:vend]); err != nil {
			if err == errStopFields {
				return nil
			}
			return err
		}
		i = skipSpace(data, vend)
		if i >= len(data) {
			return errJSONShape
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return nil
		default:
			return errJSONShape
		}
	}
}

// nullableObjectFields is objectFields for a value that may also be
// null, which has no fields.
func nullableObjectFields(data []byte, fn func(key, value []byte) error) error {
	if string(data) == "null" {
		return nil
	}
	return objectFields(data, fn)
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string that starts at data[i]
// (a '"'): the first quote after it that an even number of backslashes
// precedes. (bytes.IndexAny for both characters was a tenth of `list`'s
// CPU time; IndexByte is vectorised.)
func skipString(data []byte, i int) (int, bool) {
	i++
	for {
		j := bytes.IndexByte(data[i:], '"')
		if j < 0 {
			return 0, false
		}
		i += j
		k := i
		for k > 0 && data[k-1] == '\\' {
			k--
		}
		if (i-k)%2 == 0 {
			return i + 1, true
		}
		i++
	}
}

// skipValue returns the index after the value that starts at data[i]:
// a string, or an object or array (brackets counted, strings skipped
// whole), or a bare literal or number.
func skipValue(data []byte, i int) (int, bool) {
	if i >= len(data) {
		return 0, false
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				end, ok := skipString(data, i)
				if !ok {
					return 0, false
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return 0, false
	default:
		start := i
		for i < len(data) && data[i] != ',' && data[i] != '}' && data[i] != ']' &&
			data[i] != ' ' && data[i] != '\n' && data[i] != '\t' && data[i] != '\r' {
			i++
		}
		return i, i > start
	}
}

// jsonString decodes a raw JSON string value; one without escapes (every
// id and path hull writes) is taken as it is.
func jsonString(raw []byte) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}
