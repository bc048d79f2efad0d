/*
 * rawsyn: the CVE-2020-8558 probe of LoopbackGuardIT. From inside a container, sends one hand-made
 * TCP SYN in an Ethernet frame (AF_PACKET, so no routing decision of the container's kernel) to
 * the gateway's MAC address, for DST_IP:DST_PORT (127.0.0.1 is the point), then listens for the
 * answer for TIMEOUT_MS milliseconds and prints one line:
 *
 *   SYN-ACK from A.B.C.D:PORT     the host answered: a loopback listener is reachable
 *   RST from A.B.C.D:PORT         the host answered with a reset (nothing listens there)
 *   no answer                     nothing came back in time
 *
 * With -u it sends one UDP datagram instead (payload "rawsyn"), waits for nothing and prints
 * "sent": the receiver, if any, is on the host. With -s SRC_IP the packet's source address is
 * SRC_IP instead of the interface's (a spoofed 127.0.0.1: the answer would never come back, but a
 * datagram is delivered all the same).
 *
 * Exit code 0 when it printed one of those, 2 on bad usage or a failing system call.
 * Built with gcc -static by the test, so it runs in a busybox rootfs; needs CAP_NET_RAW.
 *
 * usage: rawsyn [-u] [-s SRC_IP] IFACE DST_MAC DST_IP DST_PORT TIMEOUT_MS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what) {
  fprintf(stderr, "rawsyn: %s: %s\n", what, strerror(errno));
  return 2;
}

static uint16_t checksum(const void *data, size_t len, uint32_t sum) {
  const uint8_t *p = data;
  while (len > 1) {
    sum += (uint32_t)(p[0] << 8 | p[1]);
    p += 2;
    len -= 2;
  }
  if (len) sum += (uint32_t)(p[0] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons((uint16_t)~sum);
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int usage(void) {
  fprintf(stderr, "usage: rawsyn [-u] [-s SRC_IP] IFACE DST_MAC DST_IP DST_PORT TIMEOUT_MS\n");
  return 2;
}

int main(int argc, char **argv) {
  int udp = 0;
  const char *spoof = NULL;
  int opt;
  while ((opt = getopt(argc, argv, "us:")) != -1) {
    if (opt == 'u') {
      udp = 1;
    } else if (opt == 's') {
      spoof = optarg;
    } else {
      return usage();
    }
  }
  argc -= optind - 1;
  argv += optind - 1;
  if (argc != 6) return usage();
  const char *ifname = argv[1];
  uint8_t dst_mac[6];
  if (sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dst_mac[0], &dst_mac[1], &dst_mac[2],
             &dst_mac[3], &dst_mac[4], &dst_mac[5]) != 6) {
    fprintf(stderr, "rawsyn: DST_MAC %s: expected aa:bb:cc:dd:ee:ff\n", argv[2]);
    return 2;
  }
  struct in_addr dst_ip;
  if (inet_pton(AF_INET, argv[3], &dst_ip) != 1) {
    fprintf(stderr, "rawsyn: DST_IP %s: not an IPv4 address\n", argv[3]);
    return 2;
  }
  int dst_port = atoi(argv[4]);
  long timeout = atol(argv[5]);
  if (dst_port <= 0 || dst_port > 65535 || timeout <= 0) {
    fprintf(stderr, "rawsyn: DST_PORT 1-65535 and TIMEOUT_MS > 0 expected\n");
    return 2;
  }

  int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IP));
  if (fd < 0) return fail("socket(AF_PACKET)");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) return fail("SIOCGIFINDEX");
  int ifindex = ifr.ifr_ifindex;
  if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) return fail("SIOCGIFHWADDR");
  uint8_t src_mac[6];
  memcpy(src_mac, ifr.ifr_hwaddr.sa_data, 6);
  int inet = socket(AF_INET, SOCK_DGRAM, 0);
  if (inet < 0) return fail("socket(AF_INET)");
  if (ioctl(inet, SIOCGIFADDR, &ifr) < 0) return fail("SIOCGIFADDR");
  close(inet);
  struct in_addr src_ip = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr;
  if (spoof != NULL && inet_pton(AF_INET, spoof, &src_ip) != 1) {
    fprintf(stderr, "rawsyn: SRC_IP %s: not an IPv4 address\n", spoof);
    return 2;
  }

  struct sockaddr_ll ll;
  memset(&ll, 0, sizeof ll);
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(ETH_P_IP);
  ll.sll_ifindex = ifindex;
  if (bind(fd, (struct sockaddr *)&ll, sizeof ll) < 0) return fail("bind(AF_PACKET)");

  uint16_t src_port = (uint16_t)(40000 + (getpid() ^ (int)now_ms()) % 20000);
  if (udp) {
    static const char payload[] = "rawsyn";
    uint8_t dgram[sizeof(struct ether_header) + sizeof(struct iphdr) + sizeof(struct udphdr) +
                  sizeof payload - 1];
    memset(dgram, 0, sizeof dgram);
    struct ether_header *ueth = (struct ether_header *)dgram;
    memcpy(ueth->ether_dhost, dst_mac, 6);
    memcpy(ueth->ether_shost, src_mac, 6);
    ueth->ether_type = htons(ETHERTYPE_IP);
    struct iphdr *uip = (struct iphdr *)(dgram + sizeof *ueth);
    size_t ulen = sizeof(struct udphdr) + sizeof payload - 1;
    uip->version = 4;
    uip->ihl = 5;
    uip->tot_len = htons((uint16_t)(sizeof(struct iphdr) + ulen));
    uip->id = htons((uint16_t)getpid());
    uip->ttl = 64;
    uip->protocol = IPPROTO_UDP;
    uip->saddr = src_ip.s_addr;
    uip->daddr = dst_ip.s_addr;
    uip->check = checksum(uip, sizeof *uip, 0);
    struct udphdr *uh = (struct udphdr *)(dgram + sizeof *ueth + sizeof *uip);
    uh->source = htons(src_port);
    uh->dest = htons((uint16_t)dst_port);
    uh->len = htons((uint16_t)ulen);
    memcpy(uh + 1, payload, sizeof payload - 1);
    uint8_t upseudo[12 + sizeof(struct udphdr) + sizeof payload - 1];
    memcpy(upseudo, &uip->saddr, 4);
    memcpy(upseudo + 4, &uip->daddr, 4);
    upseudo[8] = 0;
    upseudo[9] = IPPROTO_UDP;
    upseudo[10] = (uint8_t)(ulen >> 8);
    upseudo[11] = (uint8_t)ulen;
    memcpy(upseudo + 12, uh, ulen);
    uh->check = checksum(upseudo, sizeof upseudo, 0);
    if (sendto(fd, dgram, sizeof dgram, 0, (struct sockaddr *)&ll, sizeof ll) < 0) {
      return fail("sendto");
    }
    printf("sent\n");
    return 0;
  }
  uint32_t seq = (uint32_t)now_ms() * 2654435761u;

  uint8_t frame[sizeof(struct ether_header) + sizeof(struct iphdr) + sizeof(struct tcphdr)];
  memset(frame, 0, sizeof frame);
  struct ether_header *eth = (struct ether_header *)frame;
  memcpy(eth->ether_dhost, dst_mac, 6);
  memcpy(eth->ether_shost, src_mac, 6);
  eth->ether_type = htons(ETHERTYPE_IP);
  struct iphdr *ip = (struct iphdr *)(frame + sizeof *eth);
  ip->version = 4;
  ip->ihl = 5;
  ip->tot_len = htons(sizeof(struct iphdr) + sizeof(struct tcphdr));
  ip->id = htons((uint16_t)getpid());
  ip->frag_off = htons(IP_DF);
  ip->ttl = 64;
  ip->protocol = IPPROTO_TCP;
  ip->saddr = src_ip.s_addr;
  ip->daddr = dst_ip.s_addr;
  ip->check = checksum(ip, sizeof *ip, 0);
  struct tcphdr *tcp = (struct tcphdr *)(frame + sizeof *eth + sizeof *ip);
  tcp->source = htons(src_port);
  tcp->dest = htons((uint16_t)dst_port);
  tcp->seq = htonl(seq);
  tcp->doff = 5;
  tcp->syn = 1;
  tcp->window = htons(64240);
  uint8_t pseudo[12 + sizeof(struct tcphdr)];
  memcpy(pseudo, &ip->saddr, 4);
  memcpy(pseudo + 4, &ip->daddr, 4);
  pseudo[8] = 0;
  pseudo[9] = IPPROTO_TCP;
  pseudo[10] = 0;
  pseudo[11] = sizeof(struct tcphdr);
  memcpy(pseudo + 12, tcp, sizeof *tcp);
  tcp->check = checksum(pseudo, sizeof pseudo, 0);

  if (sendto(fd, frame, sizeof frame, 0, (struct sockaddr *)&ll, sizeof ll) < 0) {
    return fail("sendto");
  }

  long deadline = now_ms() + timeout;
  uint8_t buf[2048];
  for (;;) {
    long left = deadline - now_ms();
    if (left <= 0) break;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int ready = poll(&pfd, 1, (int)left);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return fail("poll");
    }
    if (ready == 0) break;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) return fail("recv");
    if ((size_t)n < sizeof(struct iphdr) + sizeof(struct tcphdr)) continue;
    /* SOCK_RAW on AF_PACKET: the frame starts with the Ethernet header */
    if ((size_t)n < sizeof(struct ether_header) + sizeof(struct iphdr) + sizeof(struct tcphdr)) {
      continue;
    }
    struct iphdr *rip = (struct iphdr *)(buf + sizeof(struct ether_header));
    if (rip->version != 4 || rip->protocol != IPPROTO_TCP || rip->saddr != dst_ip.s_addr) {
      continue;
    }
    struct tcphdr *rtcp = (struct tcphdr *)((uint8_t *)rip + rip->ihl * 4);
    if ((uint8_t *)(rtcp + 1) > buf + n) continue;
    if (ntohs(rtcp->source) != dst_port || ntohs(rtcp->dest) != src_port) continue;
    if (rtcp->syn && rtcp->ack) {
      printf("SYN-ACK from %s:%d\n", argv[3], dst_port);
      return 0;
    }
    if (rtcp->rst) {
      printf("RST from %s:%d\n", argv[3], dst_port);
      return 0;
    }
  }
  printf("no answer\n");
  return 0;
}
