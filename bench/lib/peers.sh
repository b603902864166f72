# Configuration writers for the backend, the nginx and HAProxy peers, the TLS material and Causeway's TLS
# manifests. Sourced by bench/run.sh; expects $WORK. Ports:
#   backend 18080 (HTTP) 18440 (TLS, h1+h2) | causeway 18081 / 18441 | nginx 18082 / 18442 / routes 18092
#   haproxy 18083 / 18443 / routes 18093    | causeway admin 19100
#   mutual TLS: nginx 18445, haproxy 18446, causeway 18441 (with write_causeway_mtls)

# The ~100-byte response body every side returns (the backend's), without a trailing newline.
BENCH_BODY='causeway-bench 0123456789abcdefghijklmnopqrstuvwxyz 0123456789abcdefghijklmnopqrstuvwxyz 0123456789a'

gen_tls() {
  mkdir -p "$WORK/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=bench.local -addext 'subjectAltName=DNS:bench.local,IP:127.0.0.1' \
    -keyout "$WORK/tls/key.pem" -out "$WORK/tls/cert.pem" >/dev/null 2>&1 || die "openssl failed"
  cat "$WORK/tls/cert.pem" "$WORK/tls/key.pem" > "$WORK/tls/bundle.pem"
  # A client CA and a client certificate it signed, for the mutual-TLS scenario.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench-client-ca \
    -keyout "$WORK/tls/client-ca.key" -out "$WORK/tls/client-ca.pem" >/dev/null 2>&1 || die "openssl failed (client CA)"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=bench-client \
    -keyout "$WORK/tls/client.key" -out "$WORK/tls/client.csr" >/dev/null 2>&1 || die "openssl failed (client key)"
  openssl x509 -req -in "$WORK/tls/client.csr" -CA "$WORK/tls/client-ca.pem" -CAkey "$WORK/tls/client-ca.key" \
    -CAcreateserial -days 2 -out "$WORK/tls/client.pem" >/dev/null 2>&1 || die "openssl failed (client certificate)"
}

write_backend_conf() {
  mkdir -p "$WORK/nginx-backend"
  cat > "$WORK/nginx-backend/nginx.conf" <<CONF
user root;
worker_processes 1;
daemon off;
pid $WORK/nginx-backend/nginx.pid;
error_log $WORK/nginx-backend/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  default_type text/plain;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:18080 backlog=4096;
    location / { return 200 '$BENCH_BODY'; }
  }
  server {
    listen 127.0.0.1:18440 ssl http2 backlog=4096;
    ssl_certificate $WORK/tls/cert.pem;
    ssl_certificate_key $WORK/tls/key.pem;
    ssl_protocols TLSv1.3;
    http2_max_requests 100000000;
    location / { return 200 '$BENCH_BODY'; }
  }
}
CONF
}

# write_nginx_proxy_conf ROUTES_INCLUDE(file or "")
write_nginx_proxy_conf() {
  local include=$1
  mkdir -p "$WORK/nginx-proxy"
  cat > "$WORK/nginx-proxy/nginx.conf" <<CONF
user root;
worker_processes 1;
daemon off;
pid $WORK/nginx-proxy/nginx.pid;
error_log $WORK/nginx-proxy/error.log warn;
worker_rlimit_nofile 16384;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  server_names_hash_max_size 8192;
  server_names_hash_bucket_size 64;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host \$host;
  proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
  proxy_set_header X-Forwarded-Proto \$scheme;
  proxy_buffering on;
  upstream be {
    server 127.0.0.1:18080;
    keepalive 64;
    keepalive_requests 100000000;
    keepalive_timeout 120s;
  }
  server {
    listen 127.0.0.1:18082 backlog=4096;
    location / { proxy_pass http://be; }
  }
  server {
    listen 127.0.0.1:18442 ssl http2 backlog=4096;
    ssl_certificate $WORK/tls/cert.pem;
    ssl_certificate_key $WORK/tls/key.pem;
    ssl_protocols TLSv1.3;
    http2_max_requests 100000000;
    location / { proxy_pass http://be; }
  }
  server {
    listen 127.0.0.1:18445 ssl backlog=4096;
    ssl_certificate $WORK/tls/cert.pem;
    ssl_certificate_key $WORK/tls/key.pem;
    ssl_protocols TLSv1.3;
    ssl_client_certificate $WORK/tls/client-ca.pem;
    ssl_verify_client on;
    location / { proxy_pass http://be; }
  }
  server {
    listen 127.0.0.1:18092 default_server;
    location / { return 404; }
  }
  ${include:+include $include;}
}
CONF
}

# write_haproxy_conf ROUTES_MAP(file or "")
write_haproxy_conf() {
  local map=$1
  mkdir -p "$WORK/haproxy"
  {
    cat <<CONF
global
  nbthread 1
  maxconn 8000
  ssl-default-bind-options ssl-min-ver TLSv1.3
  tune.bufsize 16384

defaults
  mode http
  option http-keep-alive
  option forwardfor
  http-reuse always
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s

frontend fe_h1
  bind 127.0.0.1:18083
  http-request set-header X-Forwarded-Proto http
  default_backend be

frontend fe_tls
  bind 127.0.0.1:18443 ssl crt $WORK/tls/bundle.pem alpn h2,http/1.1
  http-request set-header X-Forwarded-Proto https
  default_backend be

frontend fe_mtls
  bind 127.0.0.1:18446 ssl crt $WORK/tls/bundle.pem ca-file $WORK/tls/client-ca.pem verify required
  http-request set-header X-Forwarded-Proto https
  default_backend be

backend be
  server s1 127.0.0.1:18080
CONF
    if [ -n "$map" ]; then
      cat <<CONF

frontend fe_routes
  bind 127.0.0.1:18093
  http-request return status 404 unless { base,map_beg($map) -m found }
  http-request set-header X-Forwarded-Proto http
  default_backend be
CONF
    fi
  } > "$WORK/haproxy/haproxy.cfg"
}

# write_causeway_tls DIR : adds a Gateway "bench-tls" (HTTPS 18441, TLS terminate, Secret from gen_tls) and an
# HTTPRoute to the backend into a Causeway config directory.
write_causeway_tls() {
  local dir=$1
  cat > "$dir/tls.yaml" <<CONF
apiVersion: v1
kind: Secret
metadata:
  name: bench-tls
  namespace: bench
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 < "$WORK/tls/cert.pem")
  tls.key: $(base64 -w0 < "$WORK/tls/key.pem")
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: bench-tls
  namespace: bench
spec:
  gatewayClassName: causeway
  listeners:
  - name: https
    protocol: HTTPS
    port: 18441
    tls:
      mode: Terminate
      certificateRefs:
      - kind: Secret
        name: bench-tls
    allowedRoutes:
      namespaces:
        from: Same
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: bench-tls
  namespace: bench
spec:
  parentRefs:
  - name: bench-tls
  rules:
  - matches:
    - path:
        type: PathPrefix
        value: /
    backendRefs:
    - name: backend
      port: 80
CONF
}

# write_causeway_mtls DIR : after write_causeway_tls, a ClientTrafficPolicy making Gateway "bench-tls" require client
# certificates signed by gen_tls's client CA (as nginx's ssl_verify_client on and HAProxy's verify required).
write_causeway_mtls() {
  local dir=$1
  cat > "$dir/mtls.yaml" <<CONF
apiVersion: v1
kind: Secret
metadata:
  name: bench-client-ca
  namespace: bench
data:
  ca.crt: $(base64 -w0 < "$WORK/tls/client-ca.pem")
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata:
  name: bench-mtls
  namespace: bench
spec:
  targetRefs:
  - group: gateway.networking.k8s.io
    kind: Gateway
    name: bench-tls
  tls:
    clientValidation:
      caCertificateRefs:
      - kind: Secret
        group: ""
        name: bench-client-ca
CONF
}
