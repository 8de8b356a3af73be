{{- define "tempora.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tempora.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "tempora.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Environment every Tempora container gets: the Cassandra password from its Secret, when one is named. */}}
{{- define "tempora.secretEnv" -}}
{{- if .Values.cassandra.passwordSecret.name }}
- name: TEMPORA_PERSISTENCE__CASSANDRA__PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.cassandra.passwordSecret.name }}
      key: {{ .Values.cassandra.passwordSecret.key }}
{{- end }}
{{- end -}}

{{/* The writable /tmp a read-only root filesystem leaves every Tempora container: its mount, then its volume. */}}
{{- define "tempora.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "tempora.tmpVolume" -}}
- name: tmp
  emptyDir:
    {{- toYaml .Values.tmpDir | nindent 4 }}
{{- end -}}

{{/* Whether a service's gRPC port serves TLS: the frontend with tls.frontend, the others with tls.internode. */}}
{{- define "tempora.servesTls" -}}
{{- if eq .name "frontend" -}}{{- if .root.Values.tls.frontend.enabled -}}true{{- end -}}
{{- else -}}{{- if .root.Values.tls.internode.enabled -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{/* The TLS Secrets a service's pod mounts (name -> Secret): internode everywhere, frontend for the frontend and worker. */}}
{{- define "tempora.tlsSecrets" -}}
{{- $tls := .root.Values.tls -}}
{{- $secrets := dict -}}
{{- if $tls.internode.enabled -}}{{- $_ := set $secrets "internode" (required "tls.internode.secretName is required with tls.internode.enabled" $tls.internode.secretName) -}}{{- end -}}
{{- if and $tls.frontend.enabled (has .name (list "frontend" "worker")) -}}{{- $_ := set $secrets "frontend" (required "tls.frontend.secretName is required with tls.frontend.enabled" $tls.frontend.secretName) -}}{{- end -}}
{{- if and $tls.frontend.enabled $tls.systemWorker.secretName (eq .name "worker") -}}{{- $_ := set $secrets "system-worker" $tls.systemWorker.secretName -}}{{- end -}}
{{- toJson $secrets -}}
{{- end -}}

{{- define "tempora.tlsMounts" -}}
{{- range $name, $secret := (include "tempora.tlsSecrets" . | fromJson) }}
- name: tls-{{ $name }}
  mountPath: /etc/tempora-tls/{{ $name }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "tempora.tlsVolumes" -}}
{{- range $name, $secret := (include "tempora.tlsSecrets" . | fromJson) }}
- name: tls-{{ $name }}
  secret:
    secretName: {{ $secret }}
{{- end }}
{{- end -}}
