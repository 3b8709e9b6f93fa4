package iam

import "math/bits"

// maxUniverse is how many actions one evaluation can consider at a time.
// The actions that apply to the scored kinds (buckets and their objects,
// keys, secrets, queues, topics, functions and tables) fit with room to
// spare (299 in the current reference).
const maxUniverse = 384

// actionBits is a set of actions of a universe, by position.
type actionBits [maxUniverse / 64]uint64

func (b *actionBits) set(i int)     { b[i/64] |= 1 << (i % 64) }
func (b actionBits) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b actionBits) or(o actionBits) actionBits {
	for i := range b {
		b[i] |= o[i]
	}
	return b
}
func (b actionBits) and(o actionBits) actionBits {
	for i := range b {
		b[i] &= o[i]
	}
	return b
}
func (b actionBits) andNot(o actionBits) actionBits {
	for i := range b {
		b[i] &^= o[i]
	}
	return b
}
func (b actionBits) empty() bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}
func (b actionBits) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}
