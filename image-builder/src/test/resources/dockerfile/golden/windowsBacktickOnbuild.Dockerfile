# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
MAINTAINER Team <team@example.com>
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
ADD https://example.com/tool.zip C:\tools\tool.zip
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d `
    https://example.com/app.tar.gz C:\app\
COPY config\ C:\config\
RUN New-Item -ItemType Directory -Path C:\data ; `
    Write-Host 'done'
onbuild copy . C:\src\
ONBUILD RUN dotnet build C:\src
HEALTHCHECK NONE
WORKDIR C:\app
ENTRYPOINT ["C:\\app\\app.exe"]
