// Package internal holds small leaf helpers shared by hull's packages.
package internal
