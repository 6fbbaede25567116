// Command go-hub is a benchmark peer: gorilla/websocket's chat example design
// (a hub goroutine, a buffered send channel and a writer goroutine per
// client, queued messages joined into one frame with newlines, slow clients
// dropped). It relays each client frame as it came, so it speaks the bare
// {"username","message"} form the load generator sends with --proto plain.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
)

func main() {
	port := flag.Int("port", 8080, "TCP port (0: any free port)")
	host := flag.String("host", "127.0.0.1", "address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", net.JoinHostPort(*host, fmt.Sprint(*port)))
	if err != nil {
		log.Fatal(err)
	}
	h := newHub()
	go h.run()
	http.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) { serveWs(h, w, r) })
	fmt.Fprintf(os.Stdout, "ready port=%d\n", ln.Addr().(*net.TCPAddr).Port)
	log.Fatal(http.Serve(ln, nil))
}
