# Multi-stage: build the dashboard, then the binary that embeds it, then a small runtime.
FROM node:20-bookworm AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=frontend /src/frontend/dist ./frontend/dist
RUN CGO_ENABLED=0 go build -trimpath -o /out/firebreak ./cmd/firebreak

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/firebreak /usr/local/bin/firebreak
USER nobody
ENV FIREBREAK_ADDR=:8080
EXPOSE 8080
ENTRYPOINT ["firebreak"]
CMD ["serve"]
