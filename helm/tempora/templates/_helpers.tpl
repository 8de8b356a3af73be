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
