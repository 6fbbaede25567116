// Command go-original is a benchmark peer: the original app's server design,
// rebuilt with gorilla/websocket.
//
// Design (kept on purpose, it is what the benchmark compares): every reader
// goroutine decodes a {"username","message"} object and puts it on one
// broadcast channel; one goroutine takes each message and writes it, as JSON,
// to every client in turn. A client whose write fails is closed and removed.
// There is no per-client queue: one slow client slows everyone.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"sync"

	"github.com/gorilla/websocket"
)

// message is the original app's bare wire form.
type message struct {
	Username string `json:"username"`
	Message  string `json:"message"`
}

var (
	mu        sync.Mutex
	clients   = make(map[*websocket.Conn]bool)
	broadcast = make(chan message)
	upgrader  = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
)

func handleConnections(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	mu.Lock()
	clients[ws] = true
	mu.Unlock()
	for {
		var msg message
		if err := ws.ReadJSON(&msg); err != nil {
			mu.Lock()
			delete(clients, ws)
			mu.Unlock()
			return
		}
		broadcast <- msg
	}
}

func handleMessages() {
	for {
		msg := <-broadcast
		mu.Lock()
		for client := range clients {
			if err := client.WriteJSON(msg); err != nil {
				client.Close()
				delete(clients, client)
			}
		}
		mu.Unlock()
	}
}

func main() {
	port := flag.Int("port", 8080, "TCP port on 127.0.0.1 (0: any free port)")
	host := flag.String("host", "127.0.0.1", "address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", net.JoinHostPort(*host, fmt.Sprint(*port)))
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/ws", handleConnections)
	go handleMessages()
	fmt.Fprintf(os.Stdout, "ready port=%d\n", ln.Addr().(*net.TCPAddr).Port)
	log.Fatal(http.Serve(ln, nil))
}
