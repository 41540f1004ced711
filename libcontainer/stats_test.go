package libcontainer

import "testing"

func TestParseNetDev(t *testing.T) {
	text := `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     140       2    0    0    0     0          0         0      140       2    0    0    0     0       0          0
  eth0: 1000 10 1 2 0 0 0 0 2000 20 3 4 0 0 0 0
`
	got, err := parseNetDev(text)
	if err != nil || len(got) != 2 {
		t.Fatalf("parseNetDev = %v, %v", got, err)
	}
	if e := got[1]; e.Name != "eth0" || e.RxBytes != 1000 || e.RxPackets != 10 || e.RxErrors != 1 || e.RxDropped != 2 ||
		e.TxBytes != 2000 || e.TxPackets != 20 || e.TxErrors != 3 || e.TxDropped != 4 {
		t.Errorf("eth0 = %+v", *e)
	}
}
